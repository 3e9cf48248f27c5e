"""Batches of in-memory arrays as a tf.data pipeline: the shuffle is of indices, the batch is one gather."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf


def array_batches(arrays: Sequence, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """Batches of the rows of `arrays` (equal lengths), reshuffled every epoch when a seed is given.

    Indices are shuffled and batched, then each batch of every array is one
    `tf.gather`: per-example work in tf.data is an index, not a tuple of
    tensors, so feeding costs about what slicing tensors in memory does. The
    order is exactly that of `Dataset.from_tensor_slices(arrays).shuffle(n,
    seed).batch(batch_size)` (a shuffle's order depends only on the seed and
    the count). Every batch is full but the last.

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
    count = int(tensors[0].shape[0])
    indices = tf.data.Dataset.range(count)
    if shuffle_seed is not None:
        indices = indices.shuffle(count, seed=shuffle_seed, reshuffle_each_iteration=True)
    return indices.batch(batch_size).map(
        lambda batch: tuple(tf.gather(tensor, batch) for tensor in tensors),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    ).prefetch(tf.data.AUTOTUNE)
