"""Export of trained models in TensorFlow Serving's `<name>/<version>/` layout."""

from __future__ import annotations

import os

import keras


def export_for_serving(
    model: keras.Model, name: str, base_dir: str = "saved_models", version: int | None = None
) -> str:
    """Exports `model` as a SavedModel to `<base_dir>/<name>/<version>/`.

    `version` defaults to one more than the highest version already there
    (TF Serving serves the highest). The export is `model.export(...,
    format="tf_saved_model")`: a `serve` tag and a `serving_default` signature
    whose input names are the model's `keras.Input` names. An existing version
    is never overwritten.

    Returns:
        The version folder written.

    Example:

    >>> export_for_serving(model, "dropout_mlp_p0.2")
    'saved_models/dropout_mlp_p0.2/1'
    """
    if not name or os.sep in name or name in (".", ".."):
        raise ValueError(f"export_for_serving: name must be a plain folder name, got {name!r}.")
    model_dir = os.path.join(base_dir, name)
    if version is None:
        existing = [int(v) for v in os.listdir(model_dir) if v.isdigit()] if os.path.isdir(model_dir) else []
        version = max(existing, default=0) + 1
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"export_for_serving: version must be a positive integer, got {version!r}.")
    path = os.path.join(model_dir, str(version))
    if os.path.exists(path):
        raise ValueError(f"export_for_serving: {path} exists; versions are never overwritten.")
    model.export(path, format="tf_saved_model", verbose=False)
    return path
