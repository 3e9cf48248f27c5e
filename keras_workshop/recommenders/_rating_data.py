"""Rating rows for Keras: tf.data batches of (field ids, stars), and a model's predicted stars."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._checks import check_ids, check_positive_int
from keras_workshop.runtime import array_batches


def ratings_dataset(
    rows, ratings, batch_size: int, shuffle_seed: int | None = None, first_epoch: int = 0
) -> tf.data.Dataset:
    """Batches of `(rows of field ids, ratings)`: one pass in order, or endless epochs reshuffled from a seed.

    As `runtime.array_batches`: with a seed, fit it with
    `steps_per_epoch=batches_per_epoch(len(ratings), batch_size)`. The
    shuffle happens in tf.data: with `keras.utils.set_random_seed`,
    `fit(shuffle=True)` on NumPy arrays visits the examples in the same order
    every epoch (Keras 3.15).

    Example:

    >>> batches = ratings_dataset(np.zeros((10, 11), "int32"), np.ones(10, "float32"), batch_size=4)
    >>> [int(len(ratings)) for _, ratings in batches]
    [4, 4, 2]
    """
    rows, ratings = np.asarray(rows), np.asarray(ratings, dtype=np.float32)
    if len(rows) != len(ratings) or rows.ndim != 2:
        raise ValueError(
            f"ratings_dataset: expected (n, fields) rows and n ratings, got shapes {rows.shape} and {ratings.shape}."
        )
    check_positive_int(batch_size, "batch_size", "ratings_dataset")
    if not np.all(np.isfinite(ratings)):
        raise ValueError(f"ratings_dataset: expected finite ratings, got {ratings[~np.isfinite(ratings)][0]}.")
    # Whole numbers that fit int32 (never truncated or wrapped); the model checks them against its tables.
    rows = check_ids(rows, 2**31 - 1, "ratings_dataset: rows (field ids)").astype(np.int32)
    return array_batches((rows, ratings), batch_size, shuffle_seed, first_epoch)


def predict_ratings(model: keras.Model, rows) -> np.ndarray:
    """The model's ratings for `rows`, clipped to [1, 5] as the stars are (none for no rows)."""
    if not len(rows):  # Keras' predict fails on an empty dataset
        return np.zeros(0, dtype=np.float32)
    return np.clip(model.predict(ratings_dataset(rows, np.zeros(len(rows)), 4096), verbose=0).reshape(-1), 1, 5)
