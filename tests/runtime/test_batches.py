"""`array_batches`: each row once per epoch, reshuffled per epoch, repeatable from the seed; clear errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.runtime import array_batches, batches_per_epoch


@settings(max_examples=20, deadline=None)
@given(count=st.integers(1, 300), batch_size=st.integers(1, 64), seed=st.one_of(st.none(), st.integers(0, 2**31)))
def test_every_row_once_per_epoch_in_batches_of_the_size_asked(count, batch_size, seed):
    features = np.arange(count * 3, dtype="float32").reshape(count, 3)
    labels = np.arange(count) * 7
    steps = batches_per_epoch(count, batch_size)
    dataset = array_batches((features, labels), batch_size, shuffle_seed=seed)
    if seed is None:  # one pass, of a known length
        assert int(dataset.cardinality()) == steps
        passes = [list(dataset) for _ in range(3)]
    else:  # endless: epoch after epoch
        assert int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY)
        stream = list(dataset.take(3 * steps))
        passes = [stream[epoch * steps : (epoch + 1) * steps] for epoch in range(3)]
    epochs = []
    for batches in passes:
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
        return
    if count >= 6:
        assert any((epochs[0] != later).any() for later in epochs[1:])  # reshuffled every epoch
    for first_epoch in range(3):  # the same seed, the same orders, from any first epoch
        again = array_batches((features, labels), batch_size, shuffle_seed=seed, first_epoch=first_epoch)
        orders = np.concatenate([y for _, y in again.take((3 - first_epoch) * steps)]) // 7
        np.testing.assert_array_equal(orders, np.concatenate(epochs[first_epoch:]))


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.integers(max_value=-1), st.floats(), st.booleans(), st.text(max_size=3), st.none()))
def test_a_first_epoch_that_is_not_one_is_a_clear_error(first_epoch):
    with pytest.raises(ValueError, match="array_batches: `first_epoch` must be a whole number >= 0"):
        array_batches([np.arange(4)], 2, shuffle_seed=0, first_epoch=first_epoch)


def test_fit_on_an_endless_dataset_needs_its_steps_per_epoch():
    from keras_workshop.runtime import Sequential

    model = Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    stream = array_batches([np.zeros((8, 1), "float32"), np.zeros(8, "float32")], 4, shuffle_seed=0)
    with pytest.raises(ValueError, match="never ends .* steps_per_epoch"):
        model.fit(stream, epochs=1, verbose=0)
    assert len(model.fit(stream, epochs=2, steps_per_epoch=2, shuffle=False, verbose=0).history["loss"]) == 2


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


def test_array_batches_refuses_non_finite_features():
    features = np.ones((4, 2))
    features[2, 1] = np.nan
    with pytest.raises(ValueError, match="array_batches: array 0 holds NaN or inf"):
        array_batches((features, np.zeros(4)), batch_size=2)
