"""The one check of a positive-integer argument, and its message, for every function of the package."""

from __future__ import annotations

import numpy as np


def check_positive_int(value, argument: str, where: str = "") -> int:
    """Returns `value` as an `int`, or raises `ValueError` naming the argument and the value.

    Whole numbers of any integer type (`int`, NumPy integers) >= 1 pass; `True`,
    floats (even 3.0), NaN, 0, negative numbers and anything else do not.

    Example:

    >>> check_positive_int(np.int64(3), "dim", "Embedding")
    3
    >>> check_positive_int(0, "dim", "Embedding")
    Traceback (most recent call last):
    ...
    ValueError: Embedding: `dim` must be a positive integer, got 0.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}`{argument}` must be a positive integer, got {value!r}.")
    return int(value)
