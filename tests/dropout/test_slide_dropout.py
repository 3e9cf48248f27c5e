"""The Dropout slides: the layer's semantics, the slides' formulation, the ensemble reading."""

import math

import keras
import numpy as np
import pytest

from keras_workshop.dropout import SlideDropout, to_inverted_dropout


@pytest.mark.parametrize("dropout_rate", [0.2, 0.5, 0.8])
def test_training_zeroes_with_probability_p_and_scales_kept_by_inverse_keep(dropout_rate):
    layer = keras.layers.Dropout(dropout_rate, seed=7)
    activations = np.random.default_rng(0).uniform(0.5, 2, (500, 400)).astype("float32")
    dropped = np.asarray(layer(activations, training=True))
    zeroed = dropped == 0
    standard_error = math.sqrt(dropout_rate * (1 - dropout_rate) / zeroed.size)
    assert abs(zeroed.mean() - dropout_rate) < 4 * standard_error
    np.testing.assert_allclose(dropped[~zeroed], activations[~zeroed] / (1 - dropout_rate), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(layer(activations, training=False)), activations)


def test_slide_dropout_does_not_scale_and_is_identity_at_test():
    layer = SlideDropout(0.3, seed=3)
    dropped = np.asarray(layer(np.ones((400, 500), "float32"), training=True))
    assert set(np.unique(dropped).tolist()) == {0.0, 1.0}
    assert abs((dropped == 0).mean() - 0.3) < 4 * math.sqrt(0.3 * 0.7 / dropped.size)
    np.testing.assert_array_equal(np.asarray(layer(np.ones((2, 3)), training=False)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\), got p=1.5"):
        SlideDropout(1.5)


def test_slide_formulation_converts_to_keras_inverted_dropout():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 12)).astype("float32")
    y = rng.integers(0, 3, 200)
    model = keras.Sequential(
        [keras.Input((12,)), keras.layers.Dense(32, activation="relu"), SlideDropout(0.4, seed=1),
         keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, verbose=0)
    first, second = model.layers[0], model.layers[2]
    # The slides' test-time rule, in float64: weights after the dropout times the keep probability.
    hidden = np.maximum(x.astype(np.float64) @ first.kernel.numpy() + first.bias.numpy(), 0)
    logits = hidden @ (second.kernel.numpy() * 0.6) + second.bias.numpy()
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    converted = to_inverted_dropout(model)
    assert isinstance(converted.layers[1], keras.layers.Dropout) and converted.layers[1].rate == 0.4
    np.testing.assert_allclose(converted.predict(x, verbose=0), expected, atol=1e-5)
    # Same masks while training: Keras' x / keep times keep * W equals the slide's x times W.
    mask = (rng.uniform(size=(200, 32)) >= 0.4).astype(np.float64)
    slide_train = (hidden * mask) @ second.kernel.numpy()
    keras_train = (hidden * mask / 0.6) @ converted.layers[2].kernel.numpy()
    np.testing.assert_allclose(keras_train, slide_train, atol=1e-5)


def test_conversion_refuses_a_non_dense_layer_after_dropout():
    model = keras.Sequential(
        [keras.Input((4, 3)), SlideDropout(0.5), keras.layers.Conv1D(2, 1)]
    )
    with pytest.raises(ValueError, match="only a Dense layer can absorb"):
        to_inverted_dropout(model)
