"""Lab 5, a rating model with four planted mistakes: find and fix them."""

from __future__ import annotations

import numpy as np

from keras_workshop.labs._checks import Wrong, answer, exercise, quiet_keras

LAB = "lab5_rating_model"
_REGRESSION_LOSSES = ("mean_squared_error", "mse", "mean_absolute_error", "mae", "huber", "log_cosh")


@exercise(LAB)
def build_model(function):
    """`build_model(vocabulary_size, fields)`: the slides' rating model, compiled, its four mistakes fixed."""
    keras = quiet_keras()
    model = answer(function, 50, 11, name="build_model")
    if not isinstance(model, keras.Model):
        raise Wrong(f"build_model must return a Keras model, got {type(model).__name__}")
    mistakes = []
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    if any(rate > 0.5 for rate in rates):
        mistakes.append(f"Dropout({max(rates)}) drops {max(rates):.0%} of the units: the model cannot even fit the "
                        "training set (the lecture's p = 0.8 figure); the slides use at most 0.5")
    ids = np.random.default_rng(0).integers(0, 50, size=(4, 11)).astype("int32")
    try:
        output = np.asarray(model(ids, training=False))
    except Exception as error:
        raise Wrong(f"the model cannot read a batch of 4 rows of 11 ids ({type(error).__name__}: {error})") from None
    if output.shape[1:] != (1,):
        mistakes.append(f"the model gives {output.shape[-1]} numbers per row: a rating is one number")
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "linear")
    if activation in ("tanh", "sigmoid", "softmax"):
        mistakes.append(f"the last layer's {activation} squashes the output into "
                        f"{'(-1, 1)' if activation == 'tanh' else '(0, 1)'}: ratings go from 1 to 5")
    loss = getattr(model, "loss", None)
    name = loss if isinstance(loss, str) else getattr(loss, "name", type(loss).__name__ if loss else None)
    if name is None:
        raise Wrong("compile the model (optimizer and loss) before returning it")
    if str(name).lower().replace(" ", "_") not in _REGRESSION_LOSSES and "squared" not in str(name).lower():
        mistakes.append(f"the loss {name!r} is for labels that are 0 or 1: predicting a number needs a regression "
                        "loss")
    if mistakes:
        raise Wrong(f"{len(mistakes)} mistake{'s' if len(mistakes) > 1 else ''} left; the first: {mistakes[0]}")
    return "one number per row, not squashed, a regression loss, dropout that leaves the model able to learn"
