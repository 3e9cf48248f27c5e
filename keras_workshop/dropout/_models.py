"""The slides' models, built through the slides' own spelling."""

from __future__ import annotations

from typing import Sequence

import keras

from keras_workshop._checks import check_positive_int
from keras_workshop import slides


def dropout_mlp(
    input_size: int,
    hidden_sizes: Sequence[int] = (1024, 10, 10),
    output_size: int = 10,
    rate: float = 0.5,
    l2: float = 0.0,
    name: str | None = None,
):
    """The Dropout slide's network: `Dense(relu) -> Dropout(p)` per hidden layer, then softmax.

    With `hidden_sizes=(hidden_size, hidden_size)` it is the slide's code block;
    the defaults are the network the lecture drew its learning curves with.

    Args:
        input_size: number of input features.
        hidden_sizes: width of each hidden layer.
        output_size: number of classes.
        rate: the slides' `p`, the probability of dropping an activation (Keras' `Dropout(rate)`).
        l2: L2 penalty on every kernel (the slides' other regulariser); 0 for none.
        name: the model's name.

    Returns:
        A `keras_workshop.slides.Sequential` (an ordinary Keras 3 model).

    Example:

    >>> model = dropout_mlp(64, hidden_sizes=(32, 32), output_size=10, rate=0.5)
    >>> [layer.__class__.__name__ for layer in model.layers]
    ['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']
    """
    if not hidden_sizes:
        raise ValueError("dropout_mlp: expected at least one hidden layer size.")
    for argument, value in (("input_size", input_size), ("output_size", output_size)):
        check_positive_int(value, argument, "dropout_mlp")
    penalty = {"kernel_regularizer": keras.regularizers.L2(l2)} if l2 else {}
    model = slides.Sequential(name=name)
    for position, hidden_size in enumerate(hidden_sizes):
        shape = (input_size,) if position == 0 else None
        model.add(slides.Dense(hidden_size, shape, activation="relu", **penalty))
        model.add(slides.Dropout(p=rate))
    # float32 softmax under a mixed-precision policy (a no-op otherwise)
    model.add(slides.Dense(output_size, activation="softmax", dtype="float32", **penalty))
    return model
