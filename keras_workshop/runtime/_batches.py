"""Batches of in-memory arrays as a tf.data pipeline: one shuffle and one gather per epoch, then slices."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf


def array_batches(arrays: Sequence, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """Batches of the rows of `arrays` (equal lengths), reshuffled every epoch when a seed is given.

    Per epoch, the whole order is one tensor (a stateless shuffle of the row
    indices, keyed by a number `Dataset.random(seed)` draws anew at each pass),
    every array is put in that order by one `tf.gather`, and the result is cut
    into batches by a reshape. tf.data then only slices batches, as it would
    from tensors already stacked in memory: no per-row or per-batch work.
    The orders are a function of the seed (and TensorFlow's global seed) and
    the pass: the same seed gives the same batches, epoch after epoch. Every
    batch is full but the last.

    Example:

    >>> batches = array_batches((np.arange(5), np.arange(5) * 10), batch_size=2)
    >>> [features.numpy().tolist() for features, _ in batches]
    [[0, 1], [2, 3], [4]]
    """
    tensors = tuple(tf.constant(np.asarray(array)) for array in arrays)
    if not tensors or len({int(tensor.shape[0]) if tensor.shape.rank else -1 for tensor in tensors}) != 1 or min(
        tensor.shape.rank for tensor in tensors
    ) < 1:
        raise ValueError(
            f"array_batches: expected one or more arrays of the same length, got shapes {[t.shape for t in tensors]}."
        )
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"array_batches: batch_size must be a positive integer, got {batch_size!r}.")
    count, batch_size = int(tensors[0].shape[0]), int(batch_size)
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

    def shuffled(key):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=tf.stack([key, tf.constant(shuffle_seed, tf.int64)])
        )
        return batches_of(tuple(tf.gather(tensor, order) for tensor in tensors))

    keys = tf.data.Dataset.random(seed=shuffle_seed, rerandomize_each_iteration=True).take(1)
    batches = keys.flat_map(shuffled).apply(tf.data.experimental.assert_cardinality(full + bool(rest)))
    return batches.prefetch(tf.data.AUTOTUNE)
