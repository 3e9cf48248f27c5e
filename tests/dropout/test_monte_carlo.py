"""The ensemble reading of dropout: Monte-Carlo averages, and seeds that fix the masks without side effects."""

import random

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.dropout import SlideDropout, dropout_mlp, mc_dropout_predict, sampling_view


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
    softmax_mlp = dropout_mlp(16, (64, 64), 4, rate=0.5)
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
    with pytest.raises(ValueError, match="`samples` must be a positive integer"):
        mc_dropout_predict(small_model(), np.ones((1, 8), "float32"), samples=samples)


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.integers(max_value=-1), st.floats(allow_nan=True), st.text(), st.booleans()))
def test_bad_seeds_are_refused(seed):
    with pytest.raises(ValueError, match="`seed` must be a whole number >= 0"):
        mc_dropout_predict(small_model(), np.ones((1, 8), "float32"), samples=1, seed=seed)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2), st.integers(0, 3), st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_features_are_refused_not_averaged(row, column, bad):
    """A NaN feature would come back as an ordinary-looking uniform distribution."""
    features = np.ones((3, 4), "float32")
    features[row, column] = bad
    with pytest.raises(ValueError, match="x holds NaN or inf"):
        mc_dropout_predict(dropout_mlp(4, (8,), 3), features, samples=2, seed=0)


def batchnorm_model():
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16), keras.layers.BatchNormalization(), keras.layers.Dropout(0.5),
         keras.layers.Dense(3)]
    )
    model.compile("adam", "mse")
    x = np.random.default_rng(0).standard_normal((64, 8)).astype("float32") * 3 + 1
    model.fit(x, np.ones((64, 3)), epochs=2, verbose=0)  # moving statistics away from their start
    return model, x


def dropout_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from dropout_layers(layer)
        elif isinstance(layer, keras.layers.Dropout):
            yield layer


@pytest.mark.parametrize("functional", [False, True])
def test_only_dropout_is_sampled_and_no_other_state_changes(functional):
    """BatchNormalization runs on its moving statistics and keeps them: later predictions are what they were."""
    model, x = batchnorm_model()
    if functional:
        inputs = keras.Input((8,), name="features")
        model = keras.Model(inputs, keras.layers.Dense(2)(model(inputs)))  # a nested Sequential
    before = model.predict(x, verbose=0)
    statistics = [v.numpy().copy() for v in model.non_trainable_variables if v.name != "seed_generator_state"]
    for seed in (0, None):
        mc_dropout_predict(model, x, samples=5, seed=seed)
    after = [v.numpy() for v in model.non_trainable_variables if v.name != "seed_generator_state"]
    assert len(statistics) == 2 and all(np.array_equal(a, b) for a, b in zip(statistics, after))
    np.testing.assert_array_equal(model.predict(x, verbose=0), before)
    # with dropout at rate 0 the average is the test-time network exactly: batch statistics would differ
    for layer in dropout_layers(model):
        layer.rate = 0.0
    np.testing.assert_allclose(mc_dropout_predict(model, x, samples=3, seed=0), before, rtol=1e-5, atol=1e-6)


def test_mean_and_spread_against_numpy_on_the_same_masks():
    model, x = batchnorm_model()
    states = [v.numpy().copy() for v in model.non_trainable_variables if v.name == "seed_generator_state"]
    mean, std = mc_dropout_predict(model, x, samples=20, return_std=True)  # masks continue from the model
    for variable, state in zip([v for v in model.non_trainable_variables if v.name == "seed_generator_state"], states):
        variable.assign(state)
    view = sampling_view(model)
    draws = np.stack([np.asarray(view(x), dtype=np.float64) for _ in range(20)])
    assert mean.dtype == std.dtype == np.float32
    np.testing.assert_allclose(mean, draws.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(std, draws.std(axis=0), rtol=1e-4, atol=1e-6)
    assert np.all(std > 0)
    _, single = mc_dropout_predict(model, x, samples=1, seed=0, return_std=True)
    assert not single.any()


def test_a_mixed_bfloat16_model_is_averaged_in_float32():
    """Summing 2000 outputs near 8 in bfloat16 (8 bits of mantissa) would stall far below the mean."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dropout(0.5),
                                  keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    ones = np.ones((2, 8), "float32")
    assert model(ones).dtype == "bfloat16"
    mean = mc_dropout_predict(model, ones, samples=2000, seed=0)
    assert mean.dtype == np.float32
    np.testing.assert_allclose(mean, 8.0, atol=0.15)  # inverted dropout is unbiased


def test_id_models_keep_checking_ids_as_given():
    from keras_workshop import slides
    from keras_workshop.recommenders import hybrid_rating_model, slide_rating_model

    sequential = slides.Sequential()
    sequential.add(slides.Embedding(output_dim=4, input_dim=10, input_length=2))
    sequential.add(slides.Flatten())
    sequential.add(slides.Dropout(p=0.5))
    sequential.add(slides.Dense(2))
    hybrid = hybrid_rating_model(slide_rating_model(10, 2, dim=2, hidden=4), factors=2)
    for model in (sequential, hybrid):
        assert mc_dropout_predict(model, np.array([[1, 2]]), samples=2, seed=0).shape[0] == 1
        for bad in (np.array([[1.5, 2.0]]), np.array([[2**32 + 3, 2]], dtype=np.int64), np.array([[-1, 2]])):
            with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
                mc_dropout_predict(model, bad, samples=2, seed=0)


def test_a_subclassed_model_is_refused_by_name():
    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__(name="subclassed")
            self.dropout, self.dense = keras.layers.Dropout(0.5), keras.layers.Dense(2)

        def call(self, inputs, training=False):
            return self.dense(self.dropout(inputs, training=training))

    with pytest.raises(ValueError, match="Subclassed 'subclassed' is a subclassed model"):
        mc_dropout_predict(Subclassed(), np.ones((2, 4), "float32"), samples=2)
