"""Euclidean distance and cosine similarity, for pairs and batches."""

from __future__ import annotations

import numpy as np
from keras import ops


def _prepare(x, y):
    """Converts to float tensors, checks the vector sizes match, notes if NumPy in."""
    numpy_in = not (ops.is_tensor(x) or ops.is_tensor(y))
    wide = any("float64" in str(getattr(value, "dtype", "")) for value in (x, y))
    dtype = "float64" if wide else "float32"
    if numpy_in:
        for name, value in (("x", x), ("y", y)):
            array = np.asarray(value, dtype=np.float64 if wide else None)
            if array.dtype.kind not in "biuf":
                raise ValueError(f"Expected numbers, got {name} of dtype {array.dtype}.")
            if not np.all(np.isfinite(array)):
                raise ValueError(
                    f"Expected finite numbers, got NaN or inf in {name} at "
                    f"{np.argwhere(~np.isfinite(array))[:5].tolist()}."
                )
    x, y = ops.cast(ops.convert_to_tensor(x), dtype), ops.cast(ops.convert_to_tensor(y), dtype)
    if len(x.shape) == 0 or len(y.shape) == 0 or x.shape[-1] != y.shape[-1] or x.shape[-1] == 0:
        raise ValueError(
            f"Expected vectors of the same size (at least 1) on the last axis, got shapes "
            f"{tuple(x.shape)} and {tuple(y.shape)}."
        )
    return x, y, numpy_in


def _output(value, numpy_in: bool):
    return np.asarray(ops.convert_to_numpy(value)) if numpy_in else value


def _scaled(v):
    """`v` divided by its largest magnitude on the last axis (1 for zero vectors), and that scale.

    Norms and dot products of the scaled vectors neither overflow (huge
    values) nor underflow (tiny ones); NaN and inf stay NaN.
    """
    scale = ops.max(ops.abs(v), axis=-1, keepdims=True)
    scale = ops.where(scale > 0, scale, ops.ones_like(scale))
    return v / scale, scale[..., 0]


def euclidean_distance(x, y):
    """The slides' euclidean distance `d(x, y) = ||x - y||_2`, on the last axis.

    Args:
        x, y: vectors or batches of vectors (broadcast against each other),
            as NumPy arrays or tensors.

    Returns:
        The distances: a NumPy array for NumPy inputs, a tensor otherwise.

    Example:

    >>> euclidean_distance([1.0, 0.0], [0.0, 1.0])  # sqrt(2)
    array(1.4142135, dtype=float32)
    """
    x, y, numpy_in = _prepare(x, y)
    difference, scale = _scaled(x - y)
    return _output(scale * ops.sqrt(ops.sum(ops.square(difference), axis=-1)), numpy_in)


def cosine_similarity(x, y):
    """The slides' `cosine(x, y) = x . y / (||x|| ||y||)`, on the last axis.

    A zero vector has cosine 0 with every vector (as in scikit-learn). Each
    vector is first scaled by its largest magnitude, so tiny and huge vectors
    get their true cosine (two equal vectors of 1e-30 or 1e30: 1). In float32,
    components smaller than its smallest normal number (about 1.2e-38) count
    as 0, as TensorFlow flushes them on CPU; pass float64 arrays to keep them. NumPy
    inputs with NaN or inf are a `ValueError`; for tensors (inside graphs) a
    NaN or inf makes that cosine NaN, never a plausible number.

    Args:
        x, y: vectors or batches of vectors (broadcast against each other),
            as NumPy arrays or tensors.

    Returns:
        Values in [-1, 1]: a NumPy array for NumPy inputs, a tensor otherwise.

    Example:

    >>> cosine_similarity([1.0, 0.0], [10.0, 0.0])
    array(1., dtype=float32)
    """
    x, y, numpy_in = _prepare(x, y)
    (x, _), (y, _) = _scaled(x), _scaled(y)
    norms = ops.norm(x, axis=-1) * ops.norm(y, axis=-1)
    dot = ops.sum(x * y, axis=-1)
    zero = ops.equal(norms, 0)  # NaN norms are not zero: NaN stays NaN
    cosine = ops.clip(dot / ops.where(zero, ops.ones_like(norms), norms), -1.0, 1.0)
    return _output(ops.where(zero, ops.zeros_like(cosine), cosine), numpy_in)

