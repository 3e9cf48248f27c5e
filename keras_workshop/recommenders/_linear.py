"""The slides' Dense layer as a linear item-item recommender, its kernel solved in closed form (EASE, EDLAE)."""

from __future__ import annotations

import keras
import numpy as np

from keras_workshop import runtime
from keras_workshop.recommenders._closed_form import ease_weights


def ease_model(train, l2: float = 400.0, name: str = "ease") -> keras.Sequential:
    """EASE (Steck, 2019) as the slides' Dense layer: a bag of movies in, one score per movie out.

    `Sequential`: the bag `(batch, items)` -> `Dense(items, use_bias=False)`
    whose kernel is EASE's item-item matrix with its zero diagonal, solved in
    closed form on `train` (`ease_weights`): the exact minimiser of the
    squared error of a Dense layer that predicts each movie from the others
    with an L2 penalty `l2`. Its scores equal `ease_scores(train, l2)`.

    Example:

    >>> model = ease_model(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]]), l2=1.0)
    >>> bool(np.allclose(model.predict(np.eye(3), verbose=0).diagonal(), 0))
    True
    """
    return item_item_model(ease_weights(train, l2), name=name)


def item_item_model(weights, name: str = "item_item") -> keras.Sequential:
    """The slides' Dense layer as a recommender whose kernel is `weights`: a bag of movies in, `bag @ weights` out.

    `Sequential`: the bag `(batch, items)` -> `Dense(items, use_bias=False)`
    named `item_item`, its kernel the `(items, items)` matrix `weights`
    (EASE's, DLAE's or EDLAE's, solved in closed form).

    Example:

    >>> model = item_item_model(np.array([[0.0, 1.0], [2.0, 0.0]]))
    >>> model.predict(np.array([[1.0, 0.0]]), verbose=0).tolist()
    [[0.0, 1.0]]
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1] or not weights.size:
        raise ValueError(f"item_item_model: weights of shape {weights.shape}; expected a square (items, items) matrix.")
    if weights.dtype.kind not in "iuf" or not np.all(np.isfinite(weights)):
        raise ValueError("item_item_model: the weights hold NaN, inf or non-numbers; expected finite numbers.")
    model = runtime.Sequential(name=name)
    model.add(keras.Input((weights.shape[0],), name="liked"))
    model.add(keras.layers.Dense(weights.shape[0], use_bias=False, name="item_item"))
    model.layers[-1].set_weights([weights.astype(np.float32)])
    return model
