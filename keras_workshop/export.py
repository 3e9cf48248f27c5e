"""Export of trained models for TensorFlow Serving: versioned, atomic, named, checkable."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._embedding_signatures import embedding_endpoints

SAMPLES_FILE = os.path.join("assets.extra", "keras_workshop_samples.json")
_AUTOMATIC_NAME = re.compile(r"^(keras_tensor|input_layer|input)(_\d+)?$")
_TEMPORARY_PREFIX = ".tmp-"


def export_for_serving(
    model: keras.Model,
    name: str,
    base_dir: str = "saved_models",
    version: int | None = None,
    output_name: str = "outputs",
    input_name: str | None = None,
    overwrite: bool = False,
    vocabulary=None,
) -> str:
    """Exports `model` for TF Serving as `<base_dir>/<name>/<version>/`, atomically.

    The SavedModel has the `serve` tag and a `serving_default` signature
    (method predict, dropout inactive) with a named input (the model's
    `keras.Input` name, or `input_name`) and a named output (`output_name`).
    It is written to a temporary folder beside the target and renamed into
    place only when complete, so a TF Serving poller never sees a partial
    version, even if the process is killed mid-export. Beside the model it
    stores a sample request with Keras' own outputs
    (`assets.extra/keras_workshop_samples.json`), which
    `python -m keras_workshop.check_export` replays through TensorFlow's C++
    loader. `<base_dir>/models.config` is then regenerated.

    A model with an `Embedding` layer also gets `embed` (`ids` -> `vectors`)
    and `neighbours` (`ids`, `k` -> `neighbour_ids`, cosine `scores`, computed
    in the graph, own row excluded). With a `vocabulary` (a `Vocabulary` or the
    symbols in id order) it also gets `embed_symbols` and `neighbours_symbols`,
    which take symbols as strings through a lookup table inside the graph and
    return symbols; unknown symbols get the explicit answer `found = false`
    (zero vectors, `[UNK]` neighbours, zero scores). Ids out of range fail
    with an error naming the id and the valid range.

    Args:
        model: a built Keras model with one input.
        name: the model's name in TF Serving (a plain folder name).
        base_dir: the folder of all served models.
        version: the version number; by default one more than the highest.
        output_name: the name of the signature's output.
        input_name: the name of the signature's input; by default the model's.
        overwrite: replace an existing version (never done otherwise).
        vocabulary: for embedding models, the symbols of the ids.

    Returns:
        The version folder written.

    Example:

    >>> export_for_serving(model, "dropout_mlp_p0.2", output_name="probabilities")
    'saved_models/dropout_mlp_p0.2/1'
    """
    if not name or os.sep in name or name.startswith(".") or name in ("..",):
        raise ValueError(f"export_for_serving: name must be a plain folder name, got {name!r}.")
    if len(model.inputs) != 1:
        raise ValueError(
            f"export_for_serving: expected a built model with one input, got {len(model.inputs or [])}."
        )
    input_name = input_name or model.inputs[0].name
    if _AUTOMATIC_NAME.match(input_name):
        raise ValueError(
            f"export_for_serving: the model's input has the automatic name {input_name!r}, which "
            "changes between runs; name it (keras.Input(..., name='features')) or pass input_name."
        )
    model_dir = os.path.join(base_dir, name)
    os.makedirs(model_dir, exist_ok=True)
    _remove_abandoned(model_dir)
    if version is None:
        version = max(_versions(model_dir), default=0) + 1
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"export_for_serving: version must be a positive integer, got {version!r}.")
    target = os.path.join(model_dir, str(version))
    if os.path.exists(target) and not overwrite:
        raise ValueError(f"export_for_serving: {target} exists; pass overwrite=True to replace it.")

    spec = model.inputs[0]
    signature = tf.TensorSpec((None,) + tuple(spec.shape[1:]), spec.dtype, name=input_name)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serving_default",
        lambda inputs: {output_name: model(inputs, training=False)},
        input_signature=[signature],
    )
    samples = {}
    embedding = next((layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)), None)
    if embedding is not None:
        symbols = getattr(vocabulary, "symbols", vocabulary)
        tables, endpoints = embedding_endpoints(embedding, symbols)
        archive.track(tables)
        for endpoint, (function, input_signature, sample) in endpoints.items():
            archive.add_endpoint(endpoint, function, input_signature=input_signature)
            samples[endpoint] = sample
    elif vocabulary is not None:
        raise ValueError("export_for_serving: a vocabulary needs a model with an Embedding layer.")
    temporary = os.path.join(model_dir, f"{_TEMPORARY_PREFIX}{version}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        archive.write_out(temporary, verbose=False)
        sample = _sample_input(signature)
        outputs = {output_name: np.asarray(model(sample, training=False))}
        write_samples(temporary, "serving_default", {input_name: sample}, outputs)
        for endpoint, (inputs, expected) in samples.items():
            write_samples(temporary, endpoint, inputs, expected)
        if os.path.exists(target):  # overwrite: move the old version aside first
            retired = f"{temporary}-old"
            os.rename(target, retired)
            os.rename(temporary, target)
            shutil.rmtree(retired)
        else:
            os.rename(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    write_model_config(base_dir)
    return target


def write_samples(export_dir: str, signature: str, inputs: dict, outputs: dict) -> str:
    """Adds a sample request and its expected outputs for `signature` to an export.

    `check_export` runs every stored sample through TensorFlow's C++ loader
    and compares what comes back with these outputs.
    """
    path = os.path.join(export_dir, SAMPLES_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    samples = {}
    if os.path.exists(path):
        with open(path) as file:
            samples = json.load(file)
    samples[signature] = {
        "inputs": {key: _encode(value) for key, value in inputs.items()},
        "outputs": {key: _encode(value) for key, value in outputs.items()},
    }
    with open(path, "w") as file:
        json.dump(samples, file)
    return path


def write_model_config(base_dir: str = "saved_models") -> str:
    """Writes `<base_dir>/models.config`, TF Serving's model config listing every model.

    A model is a folder of `base_dir` holding at least one numeric version
    folder. Base paths are absolute, as TF Serving needs them.

    Example:

    >>> write_model_config("saved_models")
    'saved_models/models.config'
    """
    names = sorted(
        entry
        for entry in os.listdir(base_dir)
        if not entry.startswith(".") and _versions(os.path.join(base_dir, entry))
    )
    entries = "".join(
        "  config {\n"
        f'    name: "{name}"\n'
        f'    base_path: "{os.path.abspath(os.path.join(base_dir, name))}"\n'
        '    model_platform: "tensorflow"\n'
        "  }\n"
        for name in names
    )
    path = os.path.join(base_dir, "models.config")
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as file:
        file.write("model_config_list {\n" + entries + "}\n")
    os.replace(temporary, path)
    return path


def _versions(model_dir: str) -> list[int]:
    if not os.path.isdir(model_dir):
        return []
    return [int(entry) for entry in os.listdir(model_dir) if entry.isdigit()]


def _remove_abandoned(model_dir: str) -> None:
    """Removes temporary folders of exports whose process is gone (killed mid-export)."""
    for entry in os.listdir(model_dir):
        if entry.startswith(_TEMPORARY_PREFIX):
            pid = entry[len(_TEMPORARY_PREFIX) :].split("-")[1]
            if not pid.isdigit() or not _alive(int(pid)):
                shutil.rmtree(os.path.join(model_dir, entry), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sample_input(signature: tf.TensorSpec) -> np.ndarray:
    shape = (2,) + tuple(1 if size is None else size for size in signature.shape[1:])
    if signature.dtype.is_integer:
        return np.arange(np.prod(shape)).reshape(shape).astype(signature.dtype.as_numpy_dtype) % 2
    generator = np.random.default_rng(0)
    return generator.standard_normal(shape).astype(signature.dtype.as_numpy_dtype)


def _encode(value) -> dict:
    array = np.asarray(value)
    if array.dtype.kind in "OUS":
        values = [v.decode() if isinstance(v, bytes) else str(v) for v in array.ravel().tolist()]
        return {"dtype": "str", "shape": list(array.shape), "values": values}
    return {"dtype": str(array.dtype), "shape": list(array.shape), "values": array.ravel().tolist()}
