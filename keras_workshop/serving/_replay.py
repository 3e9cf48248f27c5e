"""The check of an export: load it as TF Serving does and replay the samples stored beside it.

`replay_samples` replays every sample stored by `export_for_serving`
(`assets.extra/keras_workshop_samples.json`) through `ServedModel` and compares the results
with the Keras outputs stored beside them (`python -m keras_workshop.check_export DIR` on
the command line).
"""

from __future__ import annotations

import json
import os

import numpy as np

from keras_workshop.serving._served_model import ServedModel

_PREDICT = "tensorflow/serving/predict"


def replay_samples(path: str):
    """Yields `(message, ok)` for loading the export at `path` and for each stored sample.

    Example:

    >>> import tempfile
    >>> from keras_workshop.dropout import dropout_mlp
    >>> from keras_workshop.serving import export_for_serving
    >>> export_dir = export_for_serving(dropout_mlp(8, (16,)), "mlp", tempfile.mkdtemp())
    >>> all(ok for message, ok in replay_samples(export_dir))
    True
    """
    try:
        served = ServedModel(path)
    except RuntimeError as error:
        yield f"{path}: load failed: {error}", False
        return
    with served:
        yield from _replay(path, served)


def _replay(path: str, served: "ServedModel"):
    signatures = served.signatures
    yield f"{path}: loaded with tag 'serve'; signatures {sorted(signatures)}", True
    if "serving_default" not in signatures:
        yield f"{path}: no 'serving_default' signature", False
    samples_path = os.path.join(path, "assets.extra", "keras_workshop_samples.json")
    if not os.path.exists(samples_path):
        yield f"{path}: no stored samples ({samples_path}); nothing was run", False
        return
    with open(samples_path) as file:
        samples = json.load(file)
    for name, sample in samples.items():
        if name not in signatures:
            yield f"{path}: sample for unknown signature {name!r}", False
            continue
        method = signatures[name][0]
        if method != _PREDICT:
            yield f"{path}: {name}: method {method!r}, expected {_PREDICT!r}", False
        inputs = {key: _decode(value) for key, value in sample["inputs"].items()}
        try:
            results = served.run(name, inputs, list(sample["outputs"]))
        except (RuntimeError, KeyError) as error:
            yield f"{path}: {name}: run failed: {error}", False
            continue
        for key, result in results.items():
            expected = _decode(sample["outputs"][key])
            if result.shape != expected.shape:
                same, detail = False, f"shape {result.shape} vs {expected.shape}"
            elif expected.dtype == object or expected.dtype == bool:
                same = bool(np.all(result == expected))
                detail = "equal" if same else f"differs: {result.ravel()[:6]} vs {expected.ravel()[:6]}"
            else:
                same = np.allclose(result, expected, rtol=1e-5, atol=1e-6)
                detail = f"max difference {np.max(np.abs(result - expected)):.2e}"
            yield f"{path}: {name} -> {key}: {detail}", bool(same)


def _decode(encoded: dict) -> np.ndarray:
    dtype = object if encoded["dtype"] == "str" else encoded["dtype"]
    return np.asarray(encoded["values"], dtype=dtype).reshape(encoded["shape"])
