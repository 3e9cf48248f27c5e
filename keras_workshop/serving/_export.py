"""Export of trained models for TensorFlow Serving: versioned, atomic, named, checkable."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from typing import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._checks import check_positive_int
from keras_workshop.serving._input_forms import checked_signature
from keras_workshop.serving._model_config import check_model_name, write_model_config
from keras_workshop.serving._signatures import embedding_signatures
from keras_workshop.serving._staging import publish, remove_abandoned, staging_folder

SAMPLES_FILE = os.path.join("assets.extra", "keras_workshop_samples.json")
_AUTOMATIC_NAME = re.compile(r"^(keras_tensor|input_layer|input)(_\d+)?$")


def export_for_serving(
    model: keras.Model,
    name: str,
    base_dir: str = "saved_models",
    version: int | None = None,
    output_name: str = "outputs",
    input_name: str | None = None,
    overwrite: bool = False,
    vocabulary=None,
    signatures: Mapping[str, tuple] | None = None,
    resources: Sequence = (),
) -> str:
    """Exports `model` for TF Serving as `<base_dir>/<name>/<version>/`, atomically.

    The SavedModel has the `serve` tag and a `serving_default` signature
    (method predict, dropout inactive) with a named input (the model's
    `keras.Input` name, or `input_name`) and a named output (`output_name`).
    Float inputs with NaN or inf fail there with `InvalidArgumentError` naming
    the input, never a plausible-looking output. Every signature checks, inside
    the graph, each input's rank and fixed sizes and that the batched inputs
    share one batch size, naming the input and its expected form (TF Serving
    and the C++ loader feed tensors of any shape).
    It is written to a staging folder beside the target and renamed into
    place only when complete, so a TF Serving poller never sees a partial
    version, even if the process is killed mid-export; staging folders of
    killed exports are removed by the next export of that name. Concurrent
    exports of one name each get their own version. Beside the model it
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
        name: the model's name in TF Serving: letters, digits, `.`, `_`, `-`
            (see `check_model_name`); anything else is refused before any
            file is written.
        base_dir: the folder of all served models.
        version: the version number; by default one more than the highest.
        output_name: the name of the signature's output.
        input_name: the name of the signature's input; by default the model's.
        overwrite: replace an existing version (never done otherwise).
        vocabulary: for embedding models, a `Vocabulary` of string symbols (or
            the symbols in id order); its in-graph table is the one exported.
        signatures: more signatures, name -> `(function, input_signature,
            (sample inputs, expected outputs))`; the sample is stored for
            `check_export`. One named `serving_default` replaces the default
            signature (the model's own input is then not served, and
            `input_name`/`output_name` are not used).
        resources: objects the signature functions read besides `model`
            (`tf.Module`s, lookup tables, Keras layers), tracked into the export.

    Returns:
        The version folder written.

    Example:

    >>> import tempfile
    >>> from keras_workshop.dropout import dropout_mlp
    >>> base_dir = tempfile.mkdtemp()
    >>> model = dropout_mlp(64, hidden_sizes=(32,), rate=0.2)
    >>> path = export_for_serving(model, "dropout_mlp_p0.2", base_dir, output_name="probabilities")
    >>> os.path.relpath(path, base_dir)
    'dropout_mlp_p0.2/1'
    """
    check_model_name(name)
    signatures = dict(signatures or {})
    custom_default = "serving_default" in signatures
    if not custom_default and len(model.inputs or []) != 1:
        raise ValueError(
            f"export_for_serving: expected a built model with one input, got {len(model.inputs or [])}."
        )
    input_name = input_name or (None if custom_default else model.inputs[0].name)
    if not custom_default and _AUTOMATIC_NAME.match(input_name):
        raise ValueError(
            f"export_for_serving: the model's input has the automatic name {input_name!r}, which "
            "changes between runs; name it (keras.Input(..., name='features')) or pass input_name."
        )
    if version is not None:
        check_positive_int(version, "version", "export_for_serving")
    model_dir = os.path.join(base_dir, name)
    if version is not None and not overwrite and os.path.exists(os.path.join(model_dir, str(version))):
        raise ValueError(
            f"export_for_serving: {os.path.join(model_dir, str(version))} exists; pass overwrite=True to replace it."
        )

    archive = keras.export.ExportArchive()
    archive.track(model)
    for resource in resources:
        archive.track(resource)
    samples = {}
    if not custom_default:
        spec = model.inputs[0]
        signature = tf.TensorSpec((None,) + tuple(spec.shape[1:]), spec.dtype, name=input_name)
        archive.add_endpoint(
            "serving_default",
            checked_signature(lambda inputs: {output_name: model(_finite(inputs, input_name), training=False)},
                              [signature], "serving_default"),
            input_signature=[signature],
        )
        sample = _sample_input(signature)
        samples["serving_default"] = ({input_name: sample}, {output_name: np.asarray(model(sample, training=False))})
    embedding = _first_embedding(model)
    if embedding is not None:
        tables, served = embedding_signatures(embedding, vocabulary)
        archive.track(tables)
        signatures = served | signatures  # the caller's own signatures win
    elif vocabulary is not None:
        raise ValueError("export_for_serving: a vocabulary needs a model with an Embedding layer.")
    for signature_name, (function, input_signature, sample) in signatures.items():
        archive.add_endpoint(signature_name, checked_signature(function, input_signature, signature_name),
                             input_signature=input_signature)  # Keras: "endpoint"
        samples[signature_name] = sample
    os.makedirs(model_dir, exist_ok=True)
    remove_abandoned(model_dir)
    with staging_folder(model_dir) as staged:
        with _quiet_tensorflow_logger():  # "Assets written to ..." is TensorFlow's INFO, shown in notebooks
            archive.write_out(staged, verbose=False)
        for signature_name, (inputs, expected) in samples.items():
            write_samples(staged, signature_name, inputs, expected)
        target = publish(staged, model_dir, version, overwrite)
    write_model_config(base_dir)
    return target


def _finite(inputs, name: str):
    """Float inputs with NaN or inf fail with an error naming the input, instead of a plausible output."""
    if not inputs.dtype.is_floating:
        return inputs
    return tf.debugging.assert_all_finite(inputs, f"serving_default: input '{name}' has NaN or inf values; "
                                                  "expected finite numbers")


def _first_embedding(model: keras.Model):
    """The model's first Embedding layer, looking inside nested models (an ensemble's members); or None."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding):
            return layer
        if isinstance(layer, keras.Model):
            found = _first_embedding(layer)
            if found is not None:
                return found
    return None


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


@contextlib.contextmanager
def _quiet_tensorflow_logger():
    """TensorFlow's Python logger at WARNING or above for the block (its INFO lines reach a notebook's output)."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
