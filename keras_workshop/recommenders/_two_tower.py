"""Two towers: the slides' Embedding -> Flatten -> Dropout -> Dense for users and for movies, scored by a dot product."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_workshop import runtime
from keras_workshop._checks import check_non_negative_int, check_positive_ints, check_rate


def field_tower(
    vocabulary_size: int, fields: int, dim: int, rate: float, name: str, symbol_dropout: SymbolDropout | None = None,
) -> keras.Sequential:
    """One tower of a two-tower model: the slides' `Embedding -> Flatten -> Dropout -> Dense`.

    With `symbol_dropout` (a `SymbolDropout` layer), it comes first.

    Example:

    >>> tower = field_tower(vocabulary_size=100, fields=4, dim=8, rate=0.2, name="user_tower")
    >>> tower.output_shape
    (None, 8)
    """
    check_positive_ints("field_tower", vocabulary_size=vocabulary_size, fields=fields, dim=dim)
    check_rate(rate, where="field_tower")
    return runtime.Sequential([
        keras.Input((fields,), dtype="int32", name=f"{name}_fields"),
        *([symbol_dropout] if symbol_dropout is not None else []),
        keras.layers.Embedding(vocabulary_size, dim, name=f"{name}_embedding"),
        keras.layers.Flatten(),
        keras.layers.Dropout(rate),
        keras.layers.Dense(dim, name=f"{name}_vector"),
    ], name=name)


@keras.saving.register_keras_serializable(package="keras_workshop")
class SymbolDropout(keras.layers.Layer):
    """Dropout of a symbol: in training, the id in column `field` becomes `unknown_id` with probability `rate`.

    The slides' dropout applied to a whole symbol rather than to units: a
    user tower trained with its user id dropped this way also learns what
    "a user it has never seen" means, and answers one from the other fields
    (cold start). At inference it does nothing.

    Example:

    >>> layer = SymbolDropout(rate=0.5, unknown_id=0, seed=1)
    >>> ids = np.array([[7, 3]] * 1000, dtype="int32")
    >>> dropped = np.asarray(layer(ids, training=True))
    >>> 0.4 < float((dropped[:, 0] == 0).mean()) < 0.6, bool((dropped[:, 1] == 3).all())
    (True, True)
    """

    def __init__(self, rate: float, unknown_id: int, field: int = 0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        check_rate(rate, where="SymbolDropout")
        check_non_negative_int(unknown_id, "unknown_id", "SymbolDropout")
        check_non_negative_int(field, "field", "SymbolDropout")
        self.rate, self.unknown_id, self.field, self.seed = float(rate), int(unknown_id), int(field), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=None):
        if not training or not self.rate:
            return ids
        batch = ops.shape(ids)[0]
        drop = keras.random.uniform((batch, 1), seed=self.seed_generator) < self.rate
        column = ops.arange(ops.shape(ids)[1])[None, :] == self.field
        return ops.where(drop & column, ops.cast(self.unknown_id, ids.dtype), ids)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {
            "rate": self.rate, "unknown_id": self.unknown_id, "field": self.field, "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="keras_workshop")
class CandidateScores(keras.layers.Layer):
    """Scores every candidate item for each user vector: `user_vectors @ item_tower(item_fields)ᵀ + item_bias`.

    The item tower runs on every item's fields inside the layer (the softmax
    over all movies is exact at MovieLens' size); the fields are a
    non-trainable weight, saved with the model's weights. Each item also has
    a learned scalar bias: how often it is chosen whoever the user is, which a
    dot product alone would have to spend a dimension on.

    Args:
        item_tower: a Keras model from item field ids to vectors.
        item_fields: `(items, fields)` int ids of each item's fields.
    """

    def __init__(self, item_tower: keras.Model, item_fields, **kwargs):
        super().__init__(**kwargs)
        item_fields = np.asarray(item_fields)
        if item_fields.ndim != 2 or item_fields.dtype.kind not in "iu" or not item_fields.size:
            raise ValueError(f"CandidateScores: item_fields must be (items, fields) integer ids, "
                             f"got shape {item_fields.shape} of {item_fields.dtype}.")
        self.item_tower = item_tower
        self.item_fields = self.add_weight(
            shape=item_fields.shape, dtype="int32", trainable=False, name="item_fields",
            initializer=keras.initializers.Constant(item_fields.astype(np.int32)),
        )
        self.item_bias = self.add_weight(shape=(item_fields.shape[0],), initializer="zeros", name="item_bias")

    def call(self, user_vectors, training=None):
        items = self.item_tower(self.item_fields, training=training)
        return ops.matmul(user_vectors, ops.transpose(items)) + self.item_bias

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.item_fields.shape[0])

    def get_config(self):
        return super().get_config() | {
            "item_tower": keras.saving.serialize_keras_object(self.item_tower),
            "items": int(self.item_fields.shape[0]), "fields": int(self.item_fields.shape[1]),
        }

    @classmethod
    def from_config(cls, config):
        item_tower = keras.saving.deserialize_keras_object(config.pop("item_tower"))
        shape = (config.pop("items"), config.pop("fields"))  # the fields themselves load with the weights
        return cls(item_tower, np.zeros(shape, np.int32), **config)


def two_tower_model(
    vocabulary_size: int, user_fields: int, item_fields, dim: int = 32, rate: float = 0.2,
    new_user_rate: float = 0.0, new_user_id: int = 0, seed: int | None = None, name: str = "two_tower",
) -> keras.Model:
    """A two-tower retrieval model: user fields in, a logit per movie out, scored by a dot product.

    The user tower embeds the user's symbols (id, gender, age band,
    occupation), the item tower each movie's (id, genres), each the slides'
    `Embedding -> Flatten -> Dropout -> Dense` (`field_tower`). Train it with a
    softmax over every movie: `SparseCategoricalCrossentropy(from_logits=True)`
    with the chosen movie's index as the label. A user unknown to the model is
    answered from descriptors alone with `new_user_id` in the id field (column
    0): in training, `SymbolDropout` puts it there with probability
    `new_user_rate`, so that it comes to mean "a new user with these
    descriptors".

    Args:
        vocabulary_size: ids of both towers' symbols are in `[0, vocabulary_size)`.
        user_fields: how many symbols a user has.
        item_fields: `(items, fields)` int ids of each movie's symbols.
        dim: the size of both towers' vectors.
        rate: the towers' dropout rate.
        new_user_rate: how often training drops the user id (`SymbolDropout`).
        new_user_id: the id that stands for a user the model has not seen.
        seed: the seed of the id dropout.

    Example:

    >>> model = two_tower_model(10, 2, item_fields=[[5, 7], [6, 8], [6, 9]], dim=4)
    >>> model.output_shape
    (None, 3)
    """
    item_fields = np.asarray(item_fields)
    id_dropout = SymbolDropout(new_user_rate, new_user_id, seed=seed, name="new_user") if new_user_rate else None
    user_tower = field_tower(vocabulary_size, user_fields, dim, rate, name="user_tower", symbol_dropout=id_dropout)
    item_tower = field_tower(vocabulary_size, item_fields.shape[-1] if item_fields.ndim == 2 else 1, dim, rate,
                             name="item_tower")
    return two_towers(user_tower, item_tower, item_fields, name=name)


def two_towers(user_tower: keras.Model, item_tower: keras.Model, item_fields, name: str = "two_tower") -> keras.Model:
    """The model of two given towers: a user's fields in, one logit per item out (`CandidateScores`).

    `two_tower_model` with towers of your own: each maps a row of int32 ids
    (`(batch, fields)`) to a vector, both of one size. The user tower's input
    is the model's (`"user_fields"`); the item tower reads `item_fields`, the
    `(items, fields)` ids of every item.

    Example:

    >>> tower = lambda fields, name: keras.Sequential(
    ...     [keras.Input((fields,), dtype="int32"), keras.layers.Embedding(10, 4), keras.layers.Flatten(),
    ...      keras.layers.Dense(4)], name=name)
    >>> two_towers(tower(2, "user_tower"), tower(2, "item_tower"), [[5, 7], [6, 8], [6, 9]]).output_shape
    (None, 3)
    """
    fields = user_tower.input_shape[-1] if isinstance(user_tower, keras.Model) else None
    if not isinstance(item_tower, keras.Model) or not isinstance(fields, int):
        raise ValueError(f"two_towers: expected two Keras models with a fixed number of input fields, got "
                         f"{user_tower!r} and {item_tower!r}.")
    user = keras.Input((fields,), dtype="int32", name="user_fields")
    scores = CandidateScores(item_tower, np.asarray(item_fields), name="candidate_scores")(user_tower(user))
    return runtime.Model(user, scores, name=name)


def item_table(two_tower: keras.Model) -> keras.layers.Embedding:
    """The item tower's `Embedding` in a model of `two_tower_model`: the table of the movies' symbols.

    The table whose cosine neighbours show what the item tower learned (`CosineNeighbours`).

    Example:

    >>> model = two_tower_model(10, 2, item_fields=[[5, 7], [6, 8], [6, 9]], dim=4)
    >>> table = item_table(model)
    >>> table.name, tuple(table.embeddings.shape)
    ('item_tower_embedding', (10, 4))
    """
    candidates = next((layer for layer in getattr(two_tower, "layers", []) if layer.name == "candidate_scores"), None)
    if not isinstance(two_tower, keras.Model) or not isinstance(candidates, CandidateScores):
        raise ValueError(f"item_table: expected a model of two_tower_model, with its 'candidate_scores' layer; got "
                         f"{two_tower!r}.")
    return next(layer for layer in candidates.item_tower.layers if isinstance(layer, keras.layers.Embedding))
