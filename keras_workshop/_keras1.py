"""Translation of Keras 1 keyword arguments to their Keras 3 names."""

from __future__ import annotations

import warnings

# Keras 1 argument -> Keras 3 argument, for the layers the slides use.
DENSE_NAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
}
EMBEDDING_NAMES = {
    "init": "embeddings_initializer",
    "W_regularizer": "embeddings_regularizer",
    "W_constraint": "embeddings_constraint",
}
DROPOUT_NAMES = {"p": "rate"}


def translate(kwargs: dict, names: dict, layer: str) -> dict:
    """Returns `kwargs` with Keras 1 names replaced by Keras 3 ones.

    `input_dim=n` (Keras 1 and 2) becomes `input_shape=(n,)`, and an integer
    `input_shape` becomes a 1-tuple. Raises `ValueError` when both spellings
    of one argument are given.
    """
    out = dict(kwargs)
    for old, new in names.items():
        if old in out:
            if new in out:
                raise ValueError(
                    f"{layer}: got both `{old}` (Keras 1) and `{new}`; pass only one."
                )
            out[new] = out.pop(old)
    if "input_dim" in out:
        if out.get("input_shape") is not None:
            raise ValueError(f"{layer}: got both `input_dim` and `input_shape`; pass only one.")
        out["input_shape"] = (out.pop("input_dim"),)
    if isinstance(out.get("input_shape"), int):
        out["input_shape"] = (out["input_shape"],)
    return out


def build_quietly(layer_class, *args, **kwargs):
    """Builds a layer without Keras 3's warning about `input_shape` on layers."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Do not pass an `input_shape`")
        return layer_class(*args, **kwargs)
