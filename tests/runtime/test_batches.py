"""`array_batches`: the order of tf.data's own shuffle of the rows, one gather per batch, clear errors."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.runtime import array_batches


@settings(max_examples=20, deadline=None)
@given(count=st.integers(1, 300), batch_size=st.integers(1, 64), seed=st.one_of(st.none(), st.integers(0, 2**31)))
def test_same_batches_as_shuffling_the_rows_themselves(count, batch_size, seed):
    features = np.arange(count * 3, dtype="float32").reshape(count, 3)
    labels = np.arange(count) % 7
    reference = tf.data.Dataset.from_tensor_slices((features, labels))
    if seed is not None:
        reference = reference.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    reference = reference.batch(batch_size)
    ours = array_batches((features, labels), batch_size, shuffle_seed=seed)
    for _ in range(2):  # two epochs: reshuffled alike
        for (x, y), (x_ref, y_ref) in zip(ours, reference, strict=True):
            np.testing.assert_array_equal(x, x_ref)
            np.testing.assert_array_equal(y, y_ref)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=0, max_size=3).filter(lambda lengths: len(set(lengths)) != 1))
def test_arrays_of_different_lengths_are_a_clear_error(lengths):
    with pytest.raises(ValueError, match="array_batches: expected one or more arrays of the same length"):
        array_batches([np.zeros(length) for length in lengths], 4)


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.integers(-3, 0), st.floats(0.5, 3), st.booleans(), st.none(), st.text(max_size=2)))
def test_bad_batch_sizes_are_a_clear_error(batch_size):
    with pytest.raises(ValueError, match="array_batches: batch_size must be a positive integer"):
        array_batches((np.zeros(5),), batch_size)


def test_scalars_are_not_rows():
    with pytest.raises(ValueError, match="same length"):
        array_batches((np.float32(1.0),), 2)
