"""The slide's dropout MLP: layer list, shapes and parameter counts."""

import keras
import numpy as np
import pytest

from keras_workshop import dropout_mlp, slides


def test_slide_block_layers_shapes_and_parameters():
    model = dropout_mlp(20, (32, 32), 5, rate=0.5)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert [layer.rate for layer in model.layers[1::2]] == [0.5, 0.5]
    assert [layer.activation.__name__ for layer in model.layers[::2]] == ["relu", "relu", "softmax"]
    assert model.input_shape == (None, 20) and model.output_shape == (None, 5)
    assert model.count_params() == (20 * 32 + 32) + (32 * 32 + 32) + (32 * 5 + 5)
    assert isinstance(model, slides.Sequential)


def test_lecture_network_and_l2():
    model = dropout_mlp(64, (1024, 10, 10), 10, rate=0.2, l2=1e-3)
    assert model.count_params() == (64 * 1024 + 1024) + (1024 * 10 + 10) + (10 * 10 + 10) + (10 * 10 + 10)
    assert len(model.losses) == 4  # one L2 penalty per kernel
    kernels = [layer.kernel.numpy() for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    np.testing.assert_allclose(float(sum(model.losses)), 1e-3 * sum((k.astype(np.float64) ** 2).sum() for k in kernels), rtol=1e-4)


@pytest.mark.parametrize("kwargs, message", [({"hidden_sizes": ()}, "at least one hidden"), ({"input_size": 0}, "input_size")])
def test_bad_arguments(kwargs, message):
    arguments = dict(input_size=4, hidden_sizes=(3,), output_size=2) | kwargs
    with pytest.raises(ValueError, match=message):
        dropout_mlp(**arguments)
