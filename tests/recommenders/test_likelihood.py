"""The multinomial likelihood: its value and gradient against float64 NumPy, beside Keras' categorical
cross-entropy, whose gradient assumes a target that sums to 1."""

import keras
import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_workshop.recommenders import MultinomialLikelihood


def log_softmax64(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def value_and_gradient(loss, bags, logits):
    logits = tf.constant(logits, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        value = loss(bags.astype(np.float32), logits)
    return float(value), tape.gradient(value, logits).numpy()


bags_and_logits = st.integers(1, 6).flatmap(lambda rows: st.integers(2, 12).flatmap(lambda items: st.tuples(
    hnp.arrays(np.float64, (rows, items), elements=st.sampled_from([0.0, 1.0, 2.0, 0.5])),
    hnp.arrays(np.float64, (rows, items), elements=st.floats(-8, 8)),
)))


@given(bags_and_logits)
def test_value_and_gradient_are_the_multinomial_likelihoods_in_float64(case):
    bags, logits = case
    value, gradient = value_and_gradient(MultinomialLikelihood(), bags, logits)
    per_row = -(bags * log_softmax64(logits)).sum(axis=-1)
    softmax = np.exp(log_softmax64(logits))
    expected_gradient = (bags.sum(axis=-1, keepdims=True) * softmax - bags) / len(bags)  # the mean over the batch
    np.testing.assert_allclose(value, per_row.mean(), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-4, atol=1e-5)


def test_keras_categorical_cross_entropy_has_the_value_but_not_the_gradient_on_a_bag():
    """The trap `MultinomialLikelihood` works around (tensorflow/tensorflow#2327): same value, gradient of a
    target that sums to 1. If this fails, Keras' loss has become right for bags and could replace ours."""
    bags = np.array([[1.0, 1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 1.0]])
    logits = np.random.default_rng(0).normal(size=bags.shape)
    ours, our_gradient = value_and_gradient(MultinomialLikelihood(), bags, logits)
    keras_value, keras_gradient = value_and_gradient(keras.losses.CategoricalCrossentropy(from_logits=True), bags, logits)
    softmax = np.exp(log_softmax64(logits))
    np.testing.assert_allclose(keras_value, ours, rtol=1e-5)
    np.testing.assert_allclose(keras_gradient, (softmax - bags) / len(bags), rtol=1e-4, atol=1e-6)
    assert np.abs(keras_gradient - our_gradient).max() > 0.1


def test_an_empty_bag_adds_nothing_and_pulls_no_logit():
    bags = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    logits = np.array([[3.0, -1.0, 0.5], [0.0, 0.0, 0.0]])
    value, gradient = value_and_gradient(MultinomialLikelihood(reduction="sum"), bags, logits)
    np.testing.assert_allclose(value, np.log(3), rtol=1e-6)
    np.testing.assert_array_equal(gradient[0], 0.0)


def test_it_trains_and_reloads_with_a_model(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
    model.compile("adam", MultinomialLikelihood())
    bags = np.array([[1, 1, 0, 0], [0, 1, 1, 0]], np.float32)
    model.fit(bags, bags, epochs=2, verbose=0)
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert isinstance(reloaded.loss, MultinomialLikelihood)
    np.testing.assert_allclose(reloaded.evaluate(bags, bags, verbose=0), model.evaluate(bags, bags, verbose=0), rtol=1e-6)
