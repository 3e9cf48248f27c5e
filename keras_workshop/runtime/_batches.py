"""Batches of in-memory arrays as a tf.data pipeline: one shuffle and one gather per epoch, then slices."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf

from keras_workshop._checks import check_non_negative_int, check_positive_int


def batches_per_epoch(rows: int, batch_size: int) -> int:
    """The batches of one epoch over `rows` rows: every batch full but the last, `fit`'s `steps_per_epoch`.

    Example:

    >>> batches_per_epoch(1000, 128)
    8
    """
    check_positive_int(rows, "rows", "batches_per_epoch")
    check_positive_int(batch_size, "batch_size", "batches_per_epoch")
    return -(-int(rows) // int(batch_size))


def array_batches(
    arrays: Sequence, batch_size: int, shuffle_seed: int | None = None, first_epoch: int = 0
) -> tf.data.Dataset:
    """Batches of the rows of `arrays` (equal lengths): one pass in order, or endless shuffled epochs.

    The one way the package turns in-memory arrays (features and labels, rating rows and
    stars) into a `tf.data.Dataset`. Floating arrays must be finite: NaN or inf is a
    `ValueError` naming the array, never a plausible loss.

    Without `shuffle_seed`: one pass over the rows in their order (validation,
    evaluation, prediction). With one: epoch after epoch without end, from
    epoch `first_epoch` on (`tf.data.Dataset.counter`), each epoch's order a
    stateless shuffle keyed by the seed and the epoch's number. Fit it with
    `steps_per_epoch=batches_per_epoch(rows, batch_size)`: Keras then keeps
    one iterator for the whole `fit`, and its epoch `e` is the data's epoch
    `first_epoch + e`. The same seed gives the same batches; a training that
    resumes at epoch `e` (`EpochBackup.initial_epoch`) passes `first_epoch=e`
    and gets the orders the interrupted one would have had.

    Per epoch, the whole order is one tensor, every array is put in that
    order by one `tf.gather`, and the result is cut into batches by a
    reshape: tf.data only slices batches, with no per-row or per-batch work.
    Every batch of an epoch is full but its last.

    Example:

    >>> batches = array_batches((np.arange(5), np.arange(5) * 10), batch_size=2)
    >>> [features.numpy().tolist() for features, _ in batches]
    [[0, 1], [2, 3], [4]]
    >>> stream = array_batches([np.arange(4)], batch_size=4, shuffle_seed=1)
    >>> epochs = [rows[0].numpy().tolist() for rows in stream.take(3)]  # epochs 0, 1, 2
    >>> [rows[0].numpy().tolist() for rows in array_batches([np.arange(4)], 4, 1, first_epoch=2).take(1)] == epochs[2:]
    True
    """
    tensors = tuple(tf.constant(np.asarray(array)) for array in arrays)
    if not tensors or len({int(tensor.shape[0]) if tensor.shape.rank else -1 for tensor in tensors}) != 1 or min(
        tensor.shape.rank for tensor in tensors
    ) < 1:
        raise ValueError(
            f"array_batches: expected one or more arrays of the same length, got shapes {[t.shape for t in tensors]}."
        )
    for number, tensor in enumerate(tensors):
        if tensor.dtype.is_floating and not bool(tf.reduce_all(tf.math.is_finite(tensor))):
            raise ValueError(f"array_batches: array {number} holds NaN or inf; expected finite numbers.")
    check_positive_int(batch_size, "batch_size", "array_batches")
    check_non_negative_int(first_epoch, "first_epoch", "array_batches")
    count, batch_size = int(tensors[0].shape[0]), int(batch_size)
    if shuffle_seed is not None and not count:
        raise ValueError("array_batches: got no rows to shuffle epoch after epoch; expected at least one.")
    full, rest = divmod(count, batch_size)

    def batches_of(ordered):
        whole = tf.data.Dataset.from_tensor_slices(tuple(
            tf.reshape(tensor[: full * batch_size], (full, batch_size, *tensor.shape[1:])) for tensor in ordered
        ))
        if not rest:
            return whole
        return whole.concatenate(tf.data.Dataset.from_tensors(tuple(tensor[full * batch_size :] for tensor in ordered)))

    if shuffle_seed is None:
        return batches_of(tensors).prefetch(tf.data.AUTOTUNE)

    def shuffled(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=tf.stack([epoch, tf.constant(shuffle_seed, tf.int64)])
        )
        return batches_of(tuple(tf.gather(tensor, order) for tensor in tensors))

    stream = tf.data.Dataset.counter(int(first_epoch)).flat_map(shuffled)
    stream = stream.apply(tf.data.experimental.assert_cardinality(tf.data.INFINITE_CARDINALITY))
    return stream.prefetch(tf.data.AUTOTUNE)
