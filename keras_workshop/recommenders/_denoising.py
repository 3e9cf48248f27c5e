"""The slides' Dropout block as a recommender: a denoising bag of movies (Mult-DAE)."""

from __future__ import annotations

import keras

from keras_workshop import runtime
from keras_workshop._checks import check_positive_int, check_rate


def denoising_recommender(
    items: int, rate: float = 0.5, hidden: int | None = None, name: str = "denoising_recommender"
) -> keras.Sequential:
    """The slides' Dropout block as a recommender (Mult-DAE, Liang et al. 2018): a bag of movies in, logits out.

    `Sequential`: a user's bag of movies (`(batch, items)`, 1 where chosen)
    -> `Dropout(rate)` on the input (the denoising: some chosen movies are
    hidden, and the model must still rank them) -> an optional
    `Dense(hidden, tanh)` -> `Dense(items)`: one logit per movie. Train it with
    the multinomial likelihood, `CategoricalCrossentropy(from_logits=True)`,
    with the bag itself as the target; rank by the logits.

    Example:

    >>> model = denoising_recommender(items=1664, rate=0.5)
    >>> [layer.__class__.__name__ for layer in model.layers], model.output_shape
    (['Dropout', 'Dense'], (None, 1664))
    """
    check_positive_int(items, "items", "denoising_recommender")
    if hidden is not None:
        check_positive_int(hidden, "hidden", "denoising_recommender")
    check_rate(rate, where="denoising_recommender")
    model = runtime.Sequential(name=name)
    model.add(keras.Input((items,), name="liked"))
    model.add(keras.layers.Dropout(rate, name="denoising"))
    if hidden is not None:
        model.add(keras.layers.Dense(hidden, activation="tanh", name="hidden"))
    model.add(keras.layers.Dense(items, name="logits"))
    return model
