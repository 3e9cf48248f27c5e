"""One call for reproducible runs: the same seed on CPU gives the same numbers."""

from __future__ import annotations

import keras
import tensorflow as tf


def set_deterministic(seed: int) -> None:
    """Seeds Python, NumPy and the backend, and makes TensorFlow's ops deterministic.

    Example:

    >>> set_deterministic(42)
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"set_deterministic: seed must be a non-negative integer, got {seed!r}.")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
