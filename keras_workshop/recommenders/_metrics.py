"""How good recommendations are: top-k metrics over a full ranking of every movie (seen ones left out), and RMSE / MAE of ratings."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from keras_workshop._checks import check_int_in_range

TOPK_METRICS = ("recall", "ndcg", "mrr", "hit", "precision")


def top_k(scores, seen, k: int) -> np.ndarray:
    """The `k` best items of each user, best first, never one in `seen`: `(users, k)` int64 columns.

    Ties go to the lower item index. A user with fewer than `k` unseen items
    gets `-1` in the places past the last one.

    Args:
        scores: `(users, items)` finite scores, higher is better.
        seen: `(users, items)` bool or a sparse matrix: items never recommended.
        k: how many, in `[1, items]`.

    Example:

    >>> top_k(np.array([[0.1, 0.9, 0.5, 0.9]]), np.array([[False, True, False, False]]), k=2)
    array([[3, 2]])
    """
    scores = _checked_scores(scores)
    seen = dense_bool(seen, scores.shape, "seen")
    check_int_in_range(k, 1, scores.shape[1], "k", "top_k")
    masked = np.where(seen, -np.inf, scores)
    order = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    return np.where(np.take_along_axis(seen, order, axis=1), -1, order)


def topk_metrics(scores, relevant, seen, k: int = 10) -> dict[str, float]:
    """Recall, NDCG, MRR, Hit and Precision at `k`, averaged over the users with a relevant item.

    The definitions RecBole uses: with `hits` the relevant items among a
    user's top `k` (`top_k`: seen items never count), Recall = hits / relevant
    items; Precision = hits / k; Hit = 1 if any hit; MRR = 1 / rank of the
    first hit (0 if none); NDCG = DCG / ideal DCG, with binary gains and a
    `log2(rank + 1)` discount, the ideal placing `min(relevant, k)` hits first.
    Users without a relevant item are left out of the means.

    Args:
        scores: `(users, items)` finite scores.
        relevant: `(users, items)` bool or sparse: the held-out items.
        seen: `(users, items)` bool or sparse: items the model learnt from.
        k: the cut-off.

    Returns:
        `{metric: mean}` for `TOPK_METRICS`, and `"users"`: how many were averaged.

    Raises:
        ValueError: NaN or inf scores, shapes that differ, a relevant item
            that is also seen, no user with a relevant item, a bad `k`.

    Example:

    >>> scores = np.array([[3.0, 2.0, 1.0, 0.0]])
    >>> metrics = topk_metrics(scores, np.array([[0, 1, 0, 1]]), np.zeros((1, 4)), k=2)
    >>> metrics["recall"], metrics["precision"], metrics["mrr"], round(metrics["ndcg"], 4)
    (0.5, 0.5, 0.5, 0.3869)
    """
    scores = _checked_scores(scores)
    relevant = dense_bool(relevant, scores.shape, "relevant")
    seen = dense_bool(seen, scores.shape, "seen")
    if np.any(relevant & seen):
        raise ValueError("topk_metrics: an item is both relevant and seen; expected held-out items only.")
    users = np.flatnonzero(relevant.any(axis=1))
    if not len(users):
        raise ValueError("topk_metrics: no user has a relevant item; nothing to measure.")
    top = top_k(scores[users], seen[users], k)
    hits = np.where(top >= 0, np.take_along_axis(relevant[users], np.maximum(top, 0), axis=1), False)
    count = relevant[users].sum(axis=1)
    discounts = 1 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[np.minimum(count, k) - 1]
    first = np.where(hits.any(axis=1), 1 / (hits.argmax(axis=1) + 1), 0.0)
    per_user = {
        "recall": hits.sum(axis=1) / count,
        "ndcg": (hits * discounts).sum(axis=1) / ideal,
        "mrr": first,
        "hit": hits.any(axis=1).astype(np.float64),
        "precision": hits.sum(axis=1) / k,
    }
    return {name: float(values.mean()) for name, values in per_user.items()} | {"users": int(len(users))}


def _checked_scores(scores) -> np.ndarray:
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.dtype.kind not in "iuf" or not scores.size:
        raise ValueError(f"expected (users, items) numeric scores, got shape {scores.shape} of {scores.dtype}.")
    if not np.all(np.isfinite(scores)):
        rows = np.unique(np.argwhere(~np.isfinite(scores))[:, 0])
        raise ValueError(f"scores of users {rows[:5].tolist()} hold NaN or inf; expected finite scores.")
    return scores.astype(np.float64, copy=False)


def dense_bool(matrix, shape, name: str) -> np.ndarray:
    dense = matrix.toarray() if scipy.sparse.issparse(matrix) else np.asarray(matrix)
    if dense.shape != shape:
        raise ValueError(f"{name} has shape {dense.shape}; expected {shape}, the shape of the scores.")
    return dense.astype(bool)


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
