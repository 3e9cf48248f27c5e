"""The Keras 1 spelling: every translated argument, and ordinary Keras 3 results."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import slides


def test_dropout_p_is_the_drop_probability():
    layer = slides.Dropout(p=0.25)
    assert isinstance(layer, keras.layers.Dropout) and layer.rate == 0.25
    assert slides.Dropout(0.1).rate == 0.1


@pytest.mark.parametrize("kwargs, message", [({"p": 1.0}, r"p must be in \[0, 1\), got p=1.0"), ({}, "required"), ({"p": 0.1, "rate": 0.2}, "both `p`")])
def test_dropout_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        slides.Dropout(**kwargs)


def test_dense_keras1_names():
    layer = slides.Dense(output_dim=4, input_dim=3, init="zeros", bias=False, W_regularizer="l2")
    assert isinstance(layer, keras.layers.Dense)
    assert layer.units == 4 and not layer.use_bias
    model = slides.Sequential([layer])
    assert model.input_shape == (None, 3) and model.inputs[0].name == "features"
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), np.zeros((3, 4)))


def test_dense_input_shape_as_int_or_tuple():
    for shape in (5, (5,)):
        model = slides.Sequential()
        model.add(slides.Dense(2, shape, activation="relu"))
        assert model.input_shape == (None, 5)


def test_embedding_keras1_init_and_input_length():
    layer = slides.Embedding(input_dim=6, output_dim=2, input_length=3, init="ones")
    model = slides.Sequential([layer, slides.Flatten(), slides.Activation("tanh")])
    assert model.input_shape == (None, 3) and model.inputs[0].dtype == "int32"
    assert model.inputs[0].name == "ids"
    np.testing.assert_allclose(model.predict(np.array([[0, 1, 5]]), verbose=0), np.tanh(np.ones((1, 6))), rtol=1e-6)


@pytest.mark.parametrize("argument", [{"input_dim": 0, "output_dim": 2}, {"input_dim": 3, "output_dim": -1}])
def test_embedding_bad_sizes(argument):
    with pytest.raises(ValueError, match="must be a positive integer"):
        slides.Embedding(**argument)


def test_slide_models_save_and_load(tmp_path):
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=3, input_dim=7, input_length=2))
    model.add(slides.Flatten())
    model.add(slides.Dense(2, activation="softmax"))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    ids = np.array([[1, 6]])
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"id\] \[7\] \[is out of range"):
        loaded.predict(np.array([[1, 7]]), verbose=0)
