"""Rating data for Keras and scores: tf.data batches, k-fold splits, predictions, RMSE and MAE."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._validation import check_positive_int
from keras_workshop.embeddings._ids import check_ids
from keras_workshop.runtime._batches import array_batches


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


def rmse_mae(predictions, ratings) -> tuple[float, float]:
    """Root mean squared error and mean absolute error, in float64 (scikit-learn's metrics).

    Example:

    >>> rmse_mae([3.0, 4.0], [4.0, 4.0])
    (0.7071067811865476, 0.5)
    """
    predictions, ratings = np.asarray(predictions, dtype=np.float64), np.asarray(ratings, dtype=np.float64)
    if predictions.shape != ratings.shape or not predictions.size:
        raise ValueError(
            f"rmse_mae: expected as many predictions as ratings, at least one; got shapes {predictions.shape} "
            f"and {ratings.shape}."
        )
    if not (np.all(np.isfinite(predictions)) and np.all(np.isfinite(ratings))):
        raise ValueError("rmse_mae: the predictions or ratings hold NaN or inf; expected finite numbers.")
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error

    return float(root_mean_squared_error(ratings, predictions)), float(mean_absolute_error(ratings, predictions))


def kfold_splits(count: int, folds: int, seed: int, validation_share: float = 0.05) -> list[tuple]:
    """`folds` splits of `count` ratings: `(fit, validation, test)` index arrays each.

    Surprise's protocol: k folds over a random permutation of all ratings
    (scikit-learn's `KFold(shuffle=True)`); each fold's training part loses a
    random `validation_share` for early stopping, so tuning never sees the test fold.

    Example:

    >>> [tuple(map(len, split)) for split in kfold_splits(100, folds=5, seed=0)]
    [(76, 4, 20), (76, 4, 20), (76, 4, 20), (76, 4, 20), (76, 4, 20)]
    """
    from sklearn.model_selection import KFold

    if not isinstance(folds, (int, np.integer)) or folds < 2:
        raise ValueError(f"kfold_splits: folds must be an integer >= 2, got {folds!r}.")
    splits = []
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(np.arange(count))):
        shuffled = np.random.default_rng([seed, fold]).permutation(train)
        held = max(1, int(round(len(train) * validation_share)))
        splits.append((np.sort(shuffled[held:]), np.sort(shuffled[:held]), test))
    return splits
