"""Rating models from rows of field ids: the slides' Sequential, and a hybrid of the same parts."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import ops

from keras_workshop import slides
from keras_workshop._checks import check_positive_ints
from keras_workshop.embeddings import IdsModel


def slide_rating_model(
    vocabulary_size: int, fields: int, dim: int = 16, hidden: int = 256, rate: float = 0.3, l2: float = 1e-4,
    mean_rating: float = 3.5, name: str = "slide_ratings", validate_ids: bool = True,
) -> keras.Model:
    """The slides' model for a rating row, exactly, in the slides' own spelling.

    `Sequential`: `Embedding(output_dim=d, input_dim=n, input_length=fields)`
    -> `Flatten` -> `Dropout(p)` -> `Dense(hidden, relu)` -> `Dropout(p)` ->
    `Dense(1)`. One table embeds every field of the row (user, item, gender, age
    band, occupation, genres); it is named `"fields_embedding"`. The last bias starts
    at `mean_rating`, so the model learns the deviation from the mean; `l2`
    penalises the table. The table checks every id in the graph
    (`validate_ids`, the default), which keeps XLA off; `validate_ids=False`
    allows XLA where the ids are known to be valid.

    Example:

    >>> model = slide_rating_model(vocabulary_size=2675, fields=11)
    >>> [layer.__class__.__name__ for layer in model.layers]
    ['Embedding', 'Flatten', 'Dropout', 'Dense', 'Dropout', 'Dense']
    >>> model.output_shape
    (None, 1)
    """
    check_positive_ints("slide_rating_model", vocabulary_size=vocabulary_size, fields=fields, dim=dim, hidden=hidden)
    model = slides.Sequential(name=name)
    model.add(slides.Embedding(
        output_dim=dim, input_dim=vocabulary_size, input_length=fields, W_regularizer=keras.regularizers.L2(l2),
        name="fields_embedding", validate_ids=validate_ids,
    ))
    model.add(slides.Flatten())
    model.add(slides.Dropout(p=rate))
    model.add(slides.Dense(hidden, activation="relu"))
    model.add(slides.Dropout(p=rate))
    model.add(slides.Dense(1, bias_initializer=keras.initializers.Constant(mean_rating), dtype="float32"))
    return model


@keras.saving.register_keras_serializable(package="keras_workshop")
class ImplicitFeedback(keras.layers.Layer):
    """SVD++'s implicit term: a user is also the normalised sum of the items they rated.

    `|N(u)|^-1/2 * sum of y_j over j in N(u)`, where `N(u)` is the set of items
    user u rated and `y_j` is a learned vector per item. Which items a user
    rated is itself information, whatever the ratings were (Koren, 2008). All
    users' terms are one sparse-dense product per step (a row per user, a
    column per item: as many terms as ratings), then the batch's users are
    gathered: far cheaper than gathering every rated item of every example.
    The sparse product is TensorFlow's (`tf.sparse.sparse_dense_matmul`).

    Args:
        user_ids, item_ids: the rated (user, item) pairs, as ids below
            `vocabulary_size` (for example the first two fields of `rating_rows`).
        vocabulary_size: the number of ids.
        factors: the size of the vectors.
        l2: penalty on the item vectors.
        pair_count: with no ids (`None`, as a saved config gives them), the
            number of pairs, whose values are then loaded with the weights.

    Example:

    >>> layer = ImplicitFeedback([0, 0, 1], [3, 4, 3], vocabulary_size=5, factors=2)
    >>> layer(np.array([0, 1, 2])).shape
    TensorShape([3, 2])
    """

    def __init__(self, user_ids, item_ids, vocabulary_size: int, factors: int, l2: float = 0.0,
                 pair_count: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if user_ids is None and item_ids is None:  # from a saved config: the pairs come back with the weights
            if not isinstance(pair_count, int) or pair_count < 0:
                raise ValueError(f"ImplicitFeedback: without ids, pair_count must be a whole number >= 0, got "
                                 f"{pair_count!r}.")
            pairs = np.zeros((pair_count, 2), np.int64)
        else:
            pairs = np.unique(np.stack([np.asarray(user_ids), np.asarray(item_ids)], axis=1).astype(np.int64), axis=0)
        if pairs.size and (pairs.min() < 0 or pairs.max() >= vocabulary_size):
            raise ValueError(f"ImplicitFeedback: ids must be in [0, {vocabulary_size}), got {pairs.min()}..{pairs.max()}.")
        counts = np.bincount(pairs[:, 0], minlength=vocabulary_size)
        self.vocabulary_size, self.factors, self.l2 = vocabulary_size, factors, l2
        self.pairs = self.add_weight(shape=pairs.shape, dtype="int64", trainable=False, name="pairs",
                                     initializer=keras.initializers.Constant(pairs))
        self.weights_of_pairs = self.add_weight(
            shape=(len(pairs),), dtype="float32", trainable=False, name="weights_of_pairs",
            initializer=keras.initializers.Constant(1 / np.sqrt(counts[pairs[:, 0]]) if len(pairs) else 0.0),
        )
        self.item_vectors = self.add_weight(
            shape=(vocabulary_size, factors), name="item_vectors",
            initializer=keras.initializers.RandomNormal(stddev=0.01),
            regularizer=keras.regularizers.L2(l2) if l2 else None,
        )

    def call(self, users):
        import tensorflow as tf

        rated = tf.sparse.SparseTensor(self.pairs, self.weights_of_pairs, (self.vocabulary_size, self.vocabulary_size))
        every_user = tf.sparse.sparse_dense_matmul(rated, self.item_vectors)  # (V, factors)
        return ops.take(every_user, ops.cast(users, "int32"), axis=0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.factors,)

    def get_config(self):
        # The pairs are weights (saved with the others), not config: the config stays small.
        return super().get_config() | {
            "user_ids": None, "item_ids": None, "pair_count": int(self.pairs.shape[0]),
            "vocabulary_size": self.vocabulary_size, "factors": self.factors, "l2": self.l2,
        }


def hybrid_rating_model(
    slide: keras.Model, rated: tuple | None = None, factors: int = 64, rate: float = 0.3, l2: float = 1e-4,
    name: str = "hybrid_ratings",
) -> keras.Model:
    """The slide model plus biases, a dot product and what was rated, on the same row of ids.

    The row's first field is the user and the second the item. Four terms are
    added: `slide` itself (a `slide_rating_model`, over the whole row); a bias
    per user and per item; the dot product of a user vector and an item vector,
    with dropout on both. An MLP alone learns a dot product poorly (Rendle et
    al., 2020); these terms give it one. With `rated`, the training ratings:

    - `(user ids, item ids)`: SVD++'s implicit term (Koren, 2008): the user
      vector also gets `ImplicitFeedback` over the items the user rated;
    - `(user ids, item ids, stars)`: the user vector gets `ImplicitFeedback`
      over the (item, stars) pairs the user gave, and the item vector over the
      (user, stars) pairs it received: one learned vector per id and star
      value. Each distinct value of `stars` is a level of its own: whole stars
      1 to 5 give 5 levels, and half stars (3.5, as in MovieLens' later
      releases) are levels of their own, never rounded to a whole star. What
      a user thought of what they rated, and what raters thought of an item,
      inform every prediction for them.

    Pass only ratings the model may learn from (never a test fold's). The new
    tables have the slide model's vocabulary size (times the number of star
    levels with stars).

    Example:

    >>> slide = slide_rating_model(vocabulary_size=6, fields=2, dim=4, hidden=8)
    >>> model = hybrid_rating_model(slide, rated=([0, 1], [3, 4], [5, 2]), factors=4)
    >>> model(np.array([[0, 3], [1, 4]])).shape
    TensorShape([2, 1])
    """
    check_positive_ints("hybrid_rating_model", factors=factors)
    vocabulary_size = slide.get_layer("fields_embedding").input_dim
    row = keras.Input(slide.inputs[0].shape[1:], dtype="int32", name="fields")
    user, item = row[:, 0], row[:, 1]
    penalty = keras.regularizers.L2(l2)
    biases = keras.layers.Embedding(vocabulary_size, 1, embeddings_initializer="zeros", embeddings_regularizer=penalty,
                                    name="biases")
    vectors = keras.layers.Embedding(vocabulary_size, factors, embeddings_regularizer=penalty, name="factors",
                                     embeddings_initializer=keras.initializers.RandomNormal(stddev=0.01))
    user_vector, item_vector = vectors(user), vectors(item)
    if rated is not None and len(rated) == 2:
        user_vector = user_vector + ImplicitFeedback(*rated, vocabulary_size, factors, l2, name="implicit")(user)
    elif rated is not None:
        users, items, stars = (np.asarray(values) for values in rated)
        if not (len(users) == len(items) == len(stars)) or stars.dtype.kind not in "iuf" or not np.all(np.isfinite(stars)):
            raise ValueError(
                f"hybrid_rating_model: `rated` needs as many users, items and stars, the stars finite numbers; got "
                f"{len(users)}, {len(items)} and {len(stars)} values, stars {np.unique(stars)[:10].tolist()}."
            )
        levels, level = np.unique(stars, return_inverse=True)  # each distinct star value, half stars too
        by_stars = vocabulary_size * level.astype(np.int64)  # one symbol per (id, star level)
        size = max(len(levels), 1) * vocabulary_size
        user_vector = user_vector + ImplicitFeedback(users, items + by_stars, size, factors, l2,
                                                     name="rated_items")(user)
        item_vector = item_vector + ImplicitFeedback(items, users + by_stars, size, factors, l2,
                                                     name="raters")(item)
    user_vector = keras.layers.Dropout(rate)(user_vector)
    item_vector = keras.layers.Dropout(rate)(item_vector)
    dot = ops.sum(user_vector * item_vector, axis=-1, keepdims=True)
    rating = keras.layers.Add(name="rating", dtype="float32")([slide(row), biases(user), biases(item), dot])
    return IdsModel(row, rating, name=name)


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
    return IdsModel(row, outputs[0] if len(outputs) == 1 else keras.layers.Average()(outputs), name=name)
