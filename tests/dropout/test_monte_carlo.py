"""The ensemble reading of dropout: Monte-Carlo averages, and seeds that fix the masks without side effects."""

import random

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.dropout import SlideDropout, dropout_mlp, mc_dropout_predict


def test_monte_carlo_average_approaches_the_test_time_network():
    x = np.random.default_rng(2).standard_normal((100, 16)).astype("float32")
    linear_readout = keras.Sequential(
        [keras.Input((16,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dropout(0.5),
         keras.layers.Dense(4)]
    )
    reference = linear_readout.predict(x, verbose=0)
    gaps = [np.abs(mc_dropout_predict(linear_readout, x, n, seed=0) - reference).mean() for n in (1, 10, 100, 1000)]
    assert gaps[0] > gaps[1] > gaps[2] > gaps[3]
    # unbiased: the gap falls like 1/sqrt(masks), about 0.03x from 1 to 1000 masks
    assert gaps[3] < 0.1 * gaps[0]
    softmax_mlp = dropout_mlp(16, (64, 64), 4, dropout_rate=0.5)
    reference = softmax_mlp.predict(x, verbose=0)
    gaps = [np.abs(mc_dropout_predict(softmax_mlp, x, n, seed=0) - reference).mean() for n in (1, 1000)]
    assert gaps[1] < gaps[0]


def small_model():
    return keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.5),
         SlideDropout(0.3), keras.layers.Dense(3)]
    )


def test_the_same_seed_gives_the_same_masks_and_another_seed_others():
    model = small_model()
    x = np.random.default_rng(0).standard_normal((20, 8)).astype("float32")
    first = mc_dropout_predict(model, x, samples=3, seed=0)
    model.predict(x, verbose=0)
    model(x, training=True)  # the model's generators move on in between
    np.testing.assert_array_equal(mc_dropout_predict(model, x, samples=3, seed=0), first)
    assert not np.allclose(mc_dropout_predict(model, x, samples=3, seed=1), first)
    # the same seed on a second instance with the same weights: the same masks
    twin = small_model()
    twin.set_weights(model.get_weights())
    np.testing.assert_array_equal(mc_dropout_predict(twin, x, samples=3, seed=0), first)


def test_a_seed_changes_no_global_generator_and_leaves_the_model_state_as_it_was():
    model = small_model()
    x = np.ones((4, 8), "float32")
    states = [v.numpy().copy() for v in model.non_trainable_variables]

    def draws():
        return (random.random(), np.random.random(), float(keras.random.uniform(())))

    random.seed(5), np.random.seed(5), keras.utils.set_random_seed(5)
    expected = draws()
    random.seed(5), np.random.seed(5), keras.utils.set_random_seed(5)
    mc_dropout_predict(model, x, samples=2, seed=0)
    assert draws() == expected
    for before, after in zip(states, model.non_trainable_variables):
        np.testing.assert_array_equal(after.numpy(), before)


def test_without_a_seed_masks_continue_from_the_model():
    model = small_model()
    x = np.ones((4, 8), "float32")
    assert not np.allclose(mc_dropout_predict(model, x, samples=1), mc_dropout_predict(model, x, samples=1))


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), st.text(), st.booleans(), st.none()))
def test_bad_sample_counts_are_refused(samples):
    with pytest.raises(ValueError, match="samples must be an integer >= 1"):
        mc_dropout_predict(small_model(), np.ones((1, 8), "float32"), samples=samples)


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.integers(max_value=-1), st.floats(allow_nan=True), st.text(), st.booleans()))
def test_bad_seeds_are_refused(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        mc_dropout_predict(small_model(), np.ones((1, 8), "float32"), samples=1, seed=seed)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2), st.integers(0, 3), st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_features_are_refused_not_averaged(row, column, bad):
    """A NaN feature would come back as an ordinary-looking uniform distribution."""
    features = np.ones((3, 4), "float32")
    features[row, column] = bad
    with pytest.raises(ValueError, match="x holds NaN or inf"):
        mc_dropout_predict(dropout_mlp(4, (8,), 3), features, samples=2, seed=0)


def test_as_dataset_refuses_non_finite_features():
    from keras_workshop.dropout import as_dataset

    features = np.ones((4, 2))
    features[2, 1] = np.nan
    with pytest.raises(ValueError, match="as_dataset: x holds NaN or inf"):
        as_dataset(features, np.zeros(4), batch_size=2)
