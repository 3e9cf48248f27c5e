"""Range checks for integer ids (embedding rows), eager and in-graph."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def check_ids(ids, num_ids: int, what: str = "id") -> np.ndarray:
    """Returns `ids` as an int64 array, or raises `ValueError` naming a bad id.

    Args:
        ids: an integer or an array-like of integers.
        num_ids: the number of valid ids; valid ids are `0 .. num_ids - 1`.
        what: how to call the ids in the error message.
    """
    array = np.asarray(ids)
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
            array = array.astype(np.int64)
        else:
            raise ValueError(
                f"Expected integer {what}s, got dtype {array.dtype} ({array!r:.80})."
            )
    bad = (array < 0) | (array >= num_ids)
    if np.any(bad):
        first = array[bad].flat[0]
        raise ValueError(
            f"{what} {first} is out of range: expected {what}s in [0, {num_ids}) "
            f"({int(np.count_nonzero(bad))} out of range)."
        )
    return array.astype(np.int64)


def assert_ids_in_range(ids, num_ids: int, name: str):
    """Returns `ids` with an in-graph check that every id is in `[0, num_ids)`.

    Eagerly, bad ids raise `tf.errors.InvalidArgumentError` at once. In a
    graph the check is a `tf.debugging.Assert`, so it stays in traced functions and
    exported SavedModels and fails the same on CPU and GPU. XLA drops
    assertions: callers that validate must not be compiled with XLA.
    """
    if tf.executing_eagerly():
        values = np.asarray(ids).ravel()
        if values.dtype.kind not in "iuf":
            raise tf.errors.InvalidArgumentError(None, None, f"{name}: expected integer ids, got dtype {values.dtype}.")
        # Compared as given: 1.5 or 2**32 + 3 is not read as row 1 or 3.
        bad = ~((values >= 0) & (values < num_ids) & (values == np.floor(values)))
        if bad.any():
            raise tf.errors.InvalidArgumentError(
                None,
                None,
                f"{name}: id {values[bad][0]} is out of range: expected ids in "
                f"[0, {num_ids}) (whole numbers). Out-of-range ids: {int(bad.sum())}",
            )
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
