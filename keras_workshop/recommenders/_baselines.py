"""Top-k baselines on a user x item matrix of interactions: most popular and item-kNN (EASE: `_closed_form`)."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from keras_workshop._checks import check_finite_number, check_positive_int


def most_popular_scores(train) -> np.ndarray:
    """Every user's scores are the items' interaction counts: the same ranking for everyone.

    Example:

    >>> most_popular_scores(np.array([[1, 0, 1], [0, 0, 1]])).tolist()
    [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]]
    """
    matrix = interaction_matrix(train)
    counts = np.asarray(matrix.sum(axis=0), dtype=np.float64).reshape(1, -1)
    return np.repeat(counts, matrix.shape[0], axis=0)


def group_popular_scores(train, groups, prior: float = 10.0) -> np.ndarray:
    """Most popular within each user's group (for example gender and age band): one ranking per group.

    A user's score for an item is the mean, over the users of the same group
    with interactions in `train`, of whether they chose it, shrunk toward the
    mean over every user by `prior` pseudo-users. It needs no interaction of
    the user: a baseline for users known only by their descriptors.

    Example:

    >>> train = np.array([[1, 0], [1, 0], [0, 1], [0, 0]])
    >>> group_popular_scores(train, ["a", "a", "b", "b"], prior=1.0).round(3).tolist()
    [[0.889, 0.111], [0.889, 0.111], [0.333, 0.667], [0.333, 0.667]]
    """
    matrix = interaction_matrix(train)
    groups = np.asarray(groups)
    if groups.shape != (matrix.shape[0],):
        raise ValueError(f"group_popular_scores: expected one group per user ({matrix.shape[0]}), got shape "
                         f"{groups.shape}.")
    check_finite_number(prior, "prior", "group_popular_scores")
    active = np.asarray(matrix.sum(axis=1)).ravel() > 0
    overall = np.asarray(matrix.sum(axis=0), np.float64).ravel() / max(int(active.sum()), 1)
    scores = np.empty(matrix.shape, dtype=np.float64)
    for group in np.unique(groups):
        members = groups == group
        counts = np.asarray(matrix[members].sum(axis=0), np.float64).ravel()
        total = (active & members).sum() + prior
        scores[members] = (counts + prior * overall) / total if total else overall
    return scores


def item_knn_scores(train, neighbours: int = 200) -> np.ndarray:
    """Item-based k-nearest neighbours: a user's score for an item sums its cosine similarity to what they chose.

    Each item keeps its `neighbours` most similar items (cosine over the users
    who chose them; itself excluded), as the classic item-kNN recommender does.

    Example:

    >>> scores = item_knn_scores(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]]), neighbours=1)
    >>> scores.round(3).tolist()
    [[0.816, 0.816, 0.577], [0.816, 0.816, 0.577], [0.816, 0.0, 0.577]]
    """
    matrix = interaction_matrix(train)
    check_positive_int(neighbours, "neighbours", "item_knn_scores")
    norms = np.sqrt(np.asarray(matrix.power(2).sum(axis=0), dtype=np.float64)).ravel()
    similarity = (matrix.T @ matrix).toarray() / np.maximum(np.outer(norms, norms), 1e-12)
    np.fill_diagonal(similarity, 0)
    if neighbours < similarity.shape[1] - 1:
        weakest = np.argpartition(-similarity, neighbours, axis=1)[:, neighbours:]
        np.put_along_axis(similarity, weakest, 0, axis=1)  # row i keeps item i's nearest items
    return np.asarray(matrix @ similarity.T)


def interaction_matrix(train) -> scipy.sparse.csr_matrix:
    """`train` as a float64 CSR `(users, items)` matrix, or `ValueError` if it is empty, negative or not finite."""
    matrix = scipy.sparse.csr_matrix(train, dtype=np.float64)
    if matrix.ndim != 2 or not matrix.shape[0] or not matrix.shape[1]:
        raise ValueError(f"expected a (users, items) matrix of interactions, got shape {matrix.shape}.")
    if matrix.nnz and not (np.all(np.isfinite(matrix.data)) and matrix.data.min() >= 0):
        raise ValueError("expected interactions that are finite and >= 0 (1 where a user chose an item).")
    return matrix
