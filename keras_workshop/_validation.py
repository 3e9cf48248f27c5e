"""The checks of whole-number arguments, and their messages, for every function of the package."""

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
    return _check_whole(value, 1, "a positive integer", argument, where)


def check_non_negative_int(value, argument: str, where: str = "") -> int:
    """As `check_positive_int`, with 0 allowed.

    Example:

    >>> check_non_negative_int(0, "first_epoch", "array_batches")
    0
    >>> check_non_negative_int(-1, "first_epoch", "array_batches")
    Traceback (most recent call last):
    ...
    ValueError: array_batches: `first_epoch` must be a whole number >= 0, got -1.
    """
    return _check_whole(value, 0, "a whole number >= 0", argument, where)


def _check_whole(value, smallest: int, expected: str, argument: str, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < smallest:
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}`{argument}` must be {expected}, got {value!r}.")
    return int(value)
