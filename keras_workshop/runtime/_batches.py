"""Batches of in-memory arrays as a tf.data pipeline: one shuffle and one gather per epoch, then slices."""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np
import tensorflow as tf

from keras_workshop._validation import check_positive_int

_EPOCHS = "_keras_workshop_epochs"  # the attribute holding a dataset's `EpochCounter`


class EpochCounter:
    """Which epoch the next pass over a dataset is: counted, and settable to resume.

    Kept in Python, read by the pipeline (`tf.py_function`) when a pass starts:
    no TensorFlow variable, so nothing to mirror under a distribution strategy.
    """

    def __init__(self) -> None:
        self.next = 0
        self._lock = threading.Lock()

    def take(self) -> np.int64:
        """The epoch of the pass that starts now; the next pass is the one after it."""
        with self._lock:
            epoch, self.next = self.next, self.next + 1
        return np.int64(epoch)

    def peek(self) -> np.int64:
        """The epoch of the pass that starts now, without counting it."""
        return np.int64(self.next)


def with_epoch_counter(dataset: tf.data.Dataset, counter: EpochCounter) -> tf.data.Dataset:
    setattr(dataset, _EPOCHS, counter)
    return dataset


def counts_epochs(dataset) -> bool:
    """Whether `dataset` counts its epochs (so that `start_at_epoch` can set them)."""
    return getattr(dataset, _EPOCHS, None) is not None


def start_at_epoch(dataset: tf.data.Dataset, epoch: int) -> None:
    """Makes the next pass over `dataset` epoch `epoch`'s, as if `epoch` passes had been made.

    For the datasets of `array_batches` (and so `as_dataset`, `ratings_dataset`),
    whose shuffle order is a function of the seed and the epoch, and of
    `skipgram_dataset`, whose stream then starts at that epoch's first batch.
    `EpochBackup` calls it when it resumes training.

    Raises:
        ValueError: `dataset` does not count its epochs (made some other way, or
            transformed after it was made), or `epoch` is not a whole number >= 0.

    Example:

    >>> batches = array_batches([np.arange(6)], batch_size=6, shuffle_seed=1)
    >>> first, second = (next(iter(batches))[0].numpy().tolist() for _ in range(2))
    >>> start_at_epoch(batches, 1)
    >>> next(iter(batches))[0].numpy().tolist() == second != first
    True
    """
    counter = getattr(dataset, _EPOCHS, None)
    if counter is None:
        raise ValueError(
            "start_at_epoch: this dataset does not count its epochs; expected one made by array_batches, "
            "as_dataset, ratings_dataset or skipgram_dataset and not transformed since (map, batch, ...)."
        )
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"start_at_epoch: epoch must be a whole number >= 0, got {epoch!r}.")
    counter.next = int(epoch)


def read_epoch(read) -> tf.Tensor:
    """In a pipeline's function: the int64 scalar `read()` (`EpochCounter.take` or `.peek`) returns then."""
    return tf.reshape(tf.py_function(read, [], tf.int64), [])


def epoch_keys(counter: EpochCounter) -> tf.data.Dataset:
    """One element: the epoch of the pass that starts, taken from `counter` when the pass starts."""
    return tf.data.Dataset.from_tensors(np.int64(0)).map(lambda _: read_epoch(counter.take))


def array_batches(arrays: Sequence, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """Batches of the rows of `arrays` (equal lengths), reshuffled every epoch when a seed is given.

    Per epoch, the whole order is one tensor (a stateless shuffle of the row
    indices, keyed by the seed and the epoch), every array is put in that
    order by one `tf.gather`, and the result is cut into batches by a reshape.
    tf.data then only slices batches, as it would from tensors already stacked
    in memory: no per-row or per-batch work. The order of a pass is a function
    of the seed and its epoch (the number of passes made before it, or what
    `start_at_epoch` set): the same seed gives the same batches, epoch after
    epoch, and a resumed run the order the interrupted one would have had.
    Every batch is full but the last.

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
    check_positive_int(batch_size, "batch_size", "array_batches")
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

    def shuffled(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=tf.stack([epoch, tf.constant(shuffle_seed, tf.int64)])
        )
        return batches_of(tuple(tf.gather(tensor, order) for tensor in tensors))

    counter = EpochCounter()
    batches = epoch_keys(counter).flat_map(shuffled).apply(tf.data.experimental.assert_cardinality(full + bool(rest)))
    return with_epoch_counter(batches.prefetch(tf.data.AUTOTUNE), counter)
