"""Rating models from rows of field ids: the slides' Sequential, and a hybrid of the same parts."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import ops

from keras_workshop import slides


def slide_rating_model(
    vocabulary_size: int,
    fields: int,
    dim: int = 16,
    hidden: int = 256,
    dropout_rate: float = 0.3,
    l2: float = 1e-4,
    mean_rating: float = 3.5,
    name: str = "slide_ratings",
) -> keras.Model:
    """The slides' model for a rating row, exactly, in the slides' own spelling.

    `Sequential`: `Embedding(output_dim=d, input_dim=n, input_length=fields)`
    -> `Flatten` -> `Dropout(p)` -> `Dense(hidden, relu)` -> `Dropout(p)` ->
    `Dense(1)`. One table embeds every field of the row (user, item, gender, age
    band, occupation, genres). The last bias starts at `mean_rating`, so the
    model learns the deviation from the mean; `l2` penalises the table.

    Example:

    >>> model = slide_rating_model(vocabulary_size=2675, fields=11)
    >>> [layer.__class__.__name__ for layer in model.layers]
    ['Embedding', 'Flatten', 'Dropout', 'Dense', 'Dropout', 'Dense']
    >>> model.output_shape
    (None, 1)
    """
    _check_sizes(vocabulary_size=vocabulary_size, fields=fields, dim=dim, hidden=hidden)
    model = slides.Sequential(name=name)
    model.add(slides.Embedding(
        output_dim=dim, input_dim=vocabulary_size, input_length=fields, W_regularizer=keras.regularizers.L2(l2)
    ))
    model.add(slides.Flatten())
    model.add(slides.Dropout(p=dropout_rate))
    model.add(slides.Dense(hidden, activation="relu"))
    model.add(slides.Dropout(p=dropout_rate))
    model.add(slides.Dense(1, bias_initializer=keras.initializers.Constant(mean_rating)))
    return model


@keras.saving.register_keras_serializable(package="keras_workshop")
class ImplicitFeedback(keras.layers.Layer):
    """SVD++'s implicit term: a user is also the normalised sum of the items they rated.

    `|N(u)|^-1/2 * sum of y_j over j in N(u)`, where `N(u)` is the user's row of
    `user_items` (item ids, padded with `vocabulary_size`) and `y_j` is a
    learned vector per item (an Embedding). Which items a user rated is itself
    information, whatever the ratings were (Koren, 2008).

    Args:
        user_items: `(users, L)` int: row u lists the item ids user u rated,
            padded with `vocabulary_size`; kept as a non-trainable weight.
        vocabulary_size: the number of ids (the padding id is this number).
        factors: the size of the vectors.
        l2: penalty on the item vectors.
    """

    def __init__(self, user_items, vocabulary_size: int, factors: int, l2: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        user_items = np.asarray(user_items, dtype=np.int32)
        if user_items.ndim != 2 or user_items.min(initial=0) < 0 or user_items.max(initial=0) > vocabulary_size:
            raise ValueError(
                f"ImplicitFeedback: user_items must be a 2-D array of ids in [0, {vocabulary_size}], "
                f"got shape {user_items.shape}."
            )
        self.vocabulary_size, self.factors, self.l2 = vocabulary_size, factors, l2
        self.user_items = self.add_weight(
            shape=user_items.shape, dtype="int32", trainable=False, name="user_items",
            initializer=keras.initializers.Constant(user_items),
        )
        self.item_vectors = keras.layers.Embedding(
            vocabulary_size + 1, factors, embeddings_initializer=keras.initializers.RandomNormal(stddev=0.01),
            embeddings_regularizer=keras.regularizers.L2(l2) if l2 else None, name="implicit_item_vectors",
        )

    def build(self, input_shape):
        self.item_vectors.build((None, None))

    def call(self, users):
        items = ops.take(self.user_items, ops.cast(users, "int32"), axis=0)  # (batch, L)
        known = ops.cast(items < self.vocabulary_size, self.compute_dtype)[..., None]
        total = ops.sum(self.item_vectors(items) * known, axis=1)
        return total / ops.sqrt(ops.maximum(ops.sum(known, axis=1), 1.0))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.factors,)

    def get_config(self):
        return super().get_config() | {
            "user_items": keras.ops.convert_to_numpy(self.user_items).tolist(),
            "vocabulary_size": self.vocabulary_size, "factors": self.factors, "l2": self.l2,
        }


def user_items(user_ids, item_ids, users: int, vocabulary_size: int) -> np.ndarray:
    """`(users, L)` int32: row u lists the item ids rated by user id u, padded with `vocabulary_size`.

    Example:

    >>> user_items([0, 1, 0], [5, 6, 7], users=3, vocabulary_size=9)
    array([[5, 7],
           [6, 9],
           [9, 9]], dtype=int32)
    """
    user_ids, item_ids = np.asarray(user_ids), np.asarray(item_ids)
    counts = np.bincount(user_ids, minlength=users)
    table = np.full((users, max(int(counts.max(initial=0)), 1)), vocabulary_size, dtype=np.int32)
    order = np.argsort(user_ids, kind="stable")
    sorted_users = user_ids[order]
    slot = np.arange(len(order)) - np.searchsorted(sorted_users, sorted_users)  # position within each user
    table[sorted_users, slot] = item_ids[order]
    return table


def hybrid_rating_model(
    vocabulary_size: int,
    fields: int,
    rated: np.ndarray | None = None,
    dim: int = 16,
    hidden: int = 256,
    factors: int = 64,
    dropout_rate: float = 0.3,
    l2: float = 1e-4,
    mean_rating: float = 3.5,
    name: str = "hybrid_ratings",
) -> keras.Model:
    """The slide model plus biases, a dot product and SVD++'s implicit term, on the same row of ids.

    The row's first field is the user and the second the item. Four terms are
    added: the slides' MLP over the whole row (as `slide_rating_model`); a
    bias per user and per item; the dot product of a user vector and an item
    vector, with dropout on both; with `rated` (the `user_items` table), the
    user vector also gets SVD++'s `ImplicitFeedback` term. An MLP alone learns a dot product poorly
    (Rendle et al., 2020); these terms give it one.

    Example:

    >>> rated = user_items([0, 1], [3, 4], users=3, vocabulary_size=6)
    >>> model = hybrid_rating_model(vocabulary_size=6, fields=2, rated=rated, dim=4, hidden=8, factors=4)
    >>> model(np.array([[0, 3], [1, 4]])).shape
    TensorShape([2, 1])
    """
    _check_sizes(vocabulary_size=vocabulary_size, fields=fields, dim=dim, hidden=hidden, factors=factors)
    penalty = keras.regularizers.L2(l2)
    row = keras.Input((fields,), dtype="int32", name="fields")
    table = keras.layers.Embedding(vocabulary_size, dim, embeddings_regularizer=penalty, name="fields_table")
    mlp = keras.layers.Dropout(dropout_rate)(keras.layers.Flatten()(table(row)))
    mlp = keras.layers.Dropout(dropout_rate)(keras.layers.Dense(hidden, activation="relu")(mlp))
    mlp = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(mean_rating), name="mlp")(mlp)
    user, item = row[:, 0], row[:, 1]
    biases = keras.layers.Embedding(vocabulary_size, 1, embeddings_initializer="zeros", embeddings_regularizer=penalty,
                                    name="biases")
    vectors = keras.layers.Embedding(vocabulary_size, factors, embeddings_regularizer=penalty, name="factors",
                                     embeddings_initializer=keras.initializers.RandomNormal(stddev=0.01))
    user_vector = keras.layers.Dropout(dropout_rate)(vectors(user))
    if rated is not None:
        implicit = ImplicitFeedback(rated, vocabulary_size, factors, l2, name="implicit")(user)
        user_vector = user_vector + keras.layers.Dropout(dropout_rate)(implicit)
    item_vector = keras.layers.Dropout(dropout_rate)(vectors(item))
    dot = ops.sum(user_vector * item_vector, axis=-1, keepdims=True)
    rating = keras.layers.Add(name="rating")([mlp, biases(user), biases(item), dot])
    return keras.Model(row, rating, name=name)


def average_models(models: Sequence[keras.Model], name: str = "ensemble") -> keras.Model:
    """One model whose output is the mean of `models`' outputs on the same `fields` input.

    Example:

    >>> members = [slide_rating_model(10, 2, dim=2, hidden=4, name=f"member_{i}") for i in range(3)]
    >>> average_models(members)(np.array([[1, 2]])).shape
    TensorShape([1, 1])
    """
    if not models:
        raise ValueError("average_models: got no models.")
    names = [model.name for model in models]
    if len(set(names)) != len(names):
        raise ValueError(f"average_models: the models need distinct names (build them with name=...), got {names}.")
    row = keras.Input(models[0].inputs[0].shape[1:], dtype="int32", name="fields")
    outputs = [model(row) for model in models]
    return keras.Model(row, outputs[0] if len(outputs) == 1 else keras.layers.Average()(outputs), name=name)


def _check_sizes(**sizes) -> None:
    for argument, value in sizes.items():
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"`{argument}` must be a positive integer, got {value!r}.")
