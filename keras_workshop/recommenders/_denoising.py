"""The slides' Dropout block as a recommender: a denoising bag of movies (Mult-DAE)."""

from __future__ import annotations

import keras

from keras_workshop import runtime
from keras_workshop._checks import check_finite_number, check_positive_int, check_rate


def denoising_recommender(
    items: int, rate: float = 0.5, hidden: int | None = None, l2: float = 0.0, normalise: bool = False,
    name: str = "denoising_recommender",
) -> keras.Sequential:
    """The slides' Dropout block as a recommender (Mult-DAE, Liang et al. 2018): a bag of movies in, logits out.

    `Sequential`: a user's bag of movies (`(batch, items)`, 1 where chosen)
    -> with `normalise`, `UnitNormalization` (each bag to length 1, as
    Mult-DAE) -> `Dropout(rate)` on the input (the denoising: some chosen
    movies are hidden, and the model must still rank them) -> an optional
    `Dense(hidden, tanh)` -> `Dense(items)`: one logit per movie; `l2` is an
    L2 penalty on the kernels. Train it with the multinomial likelihood,
    `MultinomialLikelihood()` (not `CategoricalCrossentropy`, whose gradient
    is wrong for a bag of several movies), with the bag itself as the target;
    rank by the logits.

    Example:

    >>> model = denoising_recommender(items=1664, rate=0.5)
    >>> [layer.__class__.__name__ for layer in model.layers], model.output_shape
    (['Dropout', 'Dense'], (None, 1664))
    >>> [layer.name for layer in denoising_recommender(1664, hidden=600, l2=1e-3, normalise=True).layers]
    ['normalised', 'denoising', 'hidden', 'logits']
    """
    check_positive_int(items, "items", "denoising_recommender")
    if hidden is not None:
        check_positive_int(hidden, "hidden", "denoising_recommender")
    check_rate(rate, where="denoising_recommender")
    penalty = keras.regularizers.L2(check_finite_number(l2, "l2", "denoising_recommender")) if l2 else None
    model = runtime.Sequential(name=name)
    model.add(keras.Input((items,), name="liked"))
    if normalise:
        model.add(keras.layers.UnitNormalization(name="normalised"))
    model.add(keras.layers.Dropout(rate, name="denoising"))
    if hidden is not None:
        model.add(keras.layers.Dense(hidden, activation="tanh", kernel_regularizer=penalty, name="hidden"))
    model.add(keras.layers.Dense(items, kernel_regularizer=penalty, name="logits"))
    return model
