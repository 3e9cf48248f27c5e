"""Range checks for integer ids (embedding rows), eager and in-graph."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def out_of_range_message(name: str, first, num_ids: int, count: int) -> str:
    """The one message of a bad id, eager or in a graph, for `ValueError` and `InvalidArgumentError` alike."""
    return (f"{name}: id {first} is out of range: expected ids in [0, {num_ids}) (whole numbers). "
            f"Out-of-range ids: {count}")


def _bad_ids(values: np.ndarray, num_ids: int, name: str, error) -> None:
    """Raises `error` with the one message if `values` are not whole numbers in `[0, num_ids)`."""
    if values.dtype.kind not in "iuf":
        raise error(f"{name}: expected integer ids, got dtype {values.dtype}.")
    # Compared as given: 1.5 or 2**32 + 3 is not read as row 1 or 3; NaN is no id.
    bad = ~((values >= 0) & (values < num_ids) & (values == np.floor(values)))
    if bad.any():
        raise error(out_of_range_message(name, values[bad][0], num_ids, int(bad.sum())))


def _invalid_argument(message: str) -> tf.errors.InvalidArgumentError:
    return tf.errors.InvalidArgumentError(None, None, message)


def check_ids(ids, num_ids: int, name: str = "ids") -> np.ndarray:
    """Returns `ids` as an int64 array, or raises `ValueError` naming a bad id (whole floats are ids).

    Args:
        ids: an integer or an array-like of integers.
        num_ids: the number of valid ids; valid ids are `0 .. num_ids - 1`.
        name: what the message names (the function and the argument).

    Example:

    >>> check_ids([3, 4.0], 10).tolist()
    [3, 4]
    >>> check_ids([3, 12], 10, "Vocabulary.to_symbols")
    Traceback (most recent call last):
    ...
    ValueError: Vocabulary.to_symbols: id 12 is out of range: expected ids in [0, 10) (whole numbers). Out-of-range ids: 1
    """
    array = np.asarray(ids)
    _bad_ids(array.ravel(), num_ids, name, ValueError)
    return array.astype(np.int64)


def assert_ids_in_range(ids, num_ids: int, name: str):
    """Returns `ids` with an in-graph check that every id is in `[0, num_ids)`.

    Eagerly, bad ids raise `tf.errors.InvalidArgumentError` at once. In a
    graph the check is a `tf.debugging.Assert`, so it stays in traced functions and
    exported SavedModels and fails the same on CPU and GPU. XLA drops
    assertions: callers that validate must not be compiled with XLA.
    """
    if tf.executing_eagerly():
        _bad_ids(np.asarray(ids).ravel(), num_ids, name, _invalid_argument)
        return ids
    flat = tf.reshape(ids, [-1])
    if flat.dtype.is_floating:  # compared as given (never truncated): NaN, 1.5 and -0.5 are bad ids
        bad = tf.logical_not((flat >= 0) & (flat < num_ids) & tf.equal(flat, tf.floor(flat)))
        # TensorFlow's CPU kernels read subnormal floats (1e-45) as 0: told apart by their bits.
        bits = tf.bitcast(flat, {16: tf.int16, 32: tf.int32, 64: tf.int64}[flat.dtype.size * 8])
        magnitude = tf.bitwise.bitwise_and(bits, tf.constant(np.iinfo(bits.dtype.as_numpy_dtype).max, bits.dtype))
        bad = bad | (tf.equal(flat, 0) & tf.not_equal(magnitude, 0))
    else:
        flat = tf.cast(flat, tf.int64)
        bad = tf.logical_or(flat < 0, flat >= num_ids)
    first_bad = tf.boolean_mask(flat, bad)[:1]  # empty when all are good, and for an empty batch
    check = tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(bad)),
        [
            f"{name}: id",
            first_bad,
            f"is out of range: expected ids in [0, {num_ids}) (whole numbers). Out-of-range ids:",
            tf.reduce_sum(tf.cast(bad, tf.int32)),
        ],
    )
    with tf.control_dependencies([check]):
        return tf.identity(ids)
