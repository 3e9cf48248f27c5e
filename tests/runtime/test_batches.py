"""`array_batches`: each row once per epoch, reshuffled per epoch, repeatable from the seed; clear errors."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.runtime import array_batches


@settings(max_examples=20, deadline=None)
@given(count=st.integers(1, 300), batch_size=st.integers(1, 64), seed=st.one_of(st.none(), st.integers(0, 2**31)))
def test_every_row_once_per_epoch_in_batches_of_the_size_asked(count, batch_size, seed):
    features = np.arange(count * 3, dtype="float32").reshape(count, 3)
    labels = np.arange(count) * 7
    epochs = []
    for dataset in (array_batches((features, labels), batch_size, shuffle_seed=seed),) * 3:
        batches = list(dataset)
        assert int(dataset.cardinality()) == len(batches)  # known: fit and fit_side_by_side can count steps
        sizes = [len(y) for _, y in batches]
        assert sizes == [batch_size] * (count // batch_size) + ([count % batch_size] if count % batch_size else [])
        x = np.concatenate([x for x, _ in batches])
        y = np.concatenate([y for _, y in batches])
        order = y // 7
        np.testing.assert_array_equal(x, features[order])  # rows stay together
        assert sorted(order.tolist()) == list(range(count))  # a permutation: each row once
        epochs.append(order)
    if seed is None:
        assert all(order.tolist() == list(range(count)) for order in epochs)
    elif count >= 6:
        assert any((epochs[0] != later).any() for later in epochs[1:])  # reshuffled every epoch
    again = array_batches((features, labels), batch_size, shuffle_seed=seed)
    for order in epochs:  # the same seed, the same orders, epoch after epoch
        np.testing.assert_array_equal(np.concatenate([y for _, y in again]) // 7, order)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=0, max_size=3).filter(lambda lengths: len(set(lengths)) != 1))
def test_arrays_of_different_lengths_are_a_clear_error(lengths):
    with pytest.raises(ValueError, match="array_batches: expected one or more arrays of the same length"):
        array_batches([np.zeros(length) for length in lengths], 4)


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.integers(-3, 0), st.floats(0.5, 3), st.booleans(), st.none(), st.text(max_size=2)))
def test_bad_batch_sizes_are_a_clear_error(batch_size):
    with pytest.raises(ValueError, match="array_batches: `batch_size` must be a positive integer"):
        array_batches((np.zeros(5),), batch_size)


def test_scalars_are_not_rows():
    with pytest.raises(ValueError, match="same length"):
        array_batches((np.float32(1.0),), 2)
