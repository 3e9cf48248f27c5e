"""Splits with one shape, `train`, `valid` and `test`: the top-k protocol's 8:1:1 per user, and k folds of ratings."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import scipy.sparse

from keras_workshop._checks import check_int_in_range, check_non_negative_int, check_rate
from keras_workshop.movielens import MovieLens


@dataclasses.dataclass(frozen=True)
class TopKSplit:
    """Who chose what, in disjoint parts: `(users, items)` binary CSR matrices.

    Rows follow `MovieLens.user_ids` and columns `MovieLens.item_ids`.

    Attributes:
        train: what a model learns from (and, for validation, what is seen).
        valid: the relevant validation interactions, for tuning.
        test: the relevant test interactions, for the reported figures.
        seen_before_test: `train` and every validation interaction: what a
            model may learn from before the test, never recommended in it.
        seed: the seed of the split.
    """

    train: scipy.sparse.csr_matrix
    valid: scipy.sparse.csr_matrix
    test: scipy.sparse.csr_matrix
    seen_before_test: scipy.sparse.csr_matrix
    seed: int


def topk_split(
    data: MovieLens, seed: int, ratios=(0.8, 0.1, 0.1), relevant_min_rating: float | None = None
) -> TopKSplit:
    """Splits each user's ratings at random into train, validation and test, as RecBole's default does.

    Every rating is an interaction (what a user chose to watch). Each user's
    interactions are shuffled with `seed` and cut by `ratios`, with RecBole's
    counts (`int(ratio * n)` for validation and test, the rest for training;
    a user with too few to give each part one keeps at least two for training).
    With `relevant_min_rating` (for example 4), only validation and test ratings
    at least that high are relevant: the held-out explicit protocol, where a
    movie rated 2 is seen but not a good recommendation.

    Args:
        data: MovieLens (`load_movielens`).
        seed: the shuffle's seed; the same seed gives the same split.
        ratios: train, validation, test shares, non-negative, summing to 1.
        relevant_min_rating: `None` (every interaction is relevant) or a rating.

    Example:

    >>> from keras_workshop.movielens import load_movielens
    >>> split = topk_split(load_movielens(), seed=0)
    >>> split.train.nnz, split.valid.nnz, split.test.nnz
    (80559, 9567, 9567)
    """
    ratios = np.asarray(ratios, dtype=np.float64)
    if ratios.shape != (3,) or not np.all(np.isfinite(ratios)) or np.any(ratios < 0) or abs(ratios.sum() - 1) > 1e-9:
        raise ValueError(f"topk_split: ratios must be 3 non-negative shares summing to 1, got {ratios.tolist()}.")
    check_non_negative_int(seed, "seed", "topk_split")
    if relevant_min_rating is not None and not np.isfinite(relevant_min_rating):
        raise ValueError(f"topk_split: relevant_min_rating must be a finite rating or None, got {relevant_min_rating!r}.")
    user_index = {user: i for i, user in enumerate(data.user_ids.tolist())}
    item_index = {item: i for i, item in enumerate(data.item_ids.tolist())}
    users = np.fromiter((user_index[u] for u in data.rating_users.tolist()), np.int64, len(data.ratings))
    items = np.fromiter((item_index[i] for i in data.rating_items.tolist()), np.int64, len(data.ratings))
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.permutation(len(users)), users))  # each user's ratings together, in random order
    part = np.zeros(len(users), dtype=np.int8)
    starts = np.flatnonzero(np.r_[True, users[order][1:] != users[order][:-1]])
    for start, stop in zip(starts, np.r_[starts[1:], len(order)]):
        train, valid, _ = _counts(stop - start, ratios)
        part[order[start + train: start + train + valid]] = 1
        part[order[start + train + valid: stop]] = 2
    relevant = np.ones(len(users), bool) if relevant_min_rating is None else data.ratings >= relevant_min_rating
    shape = (len(data.user_ids), len(data.item_ids))

    def matrix(mask):
        return scipy.sparse.csr_matrix((np.ones(mask.sum(), np.float32), (users[mask], items[mask])), shape=shape)

    return TopKSplit(train=matrix(part == 0), valid=matrix((part == 1) & relevant),
                     test=matrix((part == 2) & relevant), seen_before_test=matrix(part <= 1), seed=int(seed))


def _counts(total: int, ratios: np.ndarray) -> tuple[int, int, int]:
    """RecBole's `_calcu_split_ids`: validation and test get `int(ratio * total)`, rounded up from 0 to 1."""
    counts = [int(ratio * total) for ratio in ratios]
    counts[0] = total - sum(counts[1:])
    for i in range(1, len(ratios)):
        if counts[0] <= 1:
            break
        if 0 < ratios[-i] * total < 1:
            counts[-i] += 1
            counts[0] -= 1
    return counts[0], counts[1], counts[2]


class Fold(NamedTuple):
    """One fold of `kfold_splits`: index arrays of the ratings to fit on, to stop early on, and to test on."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray


def kfold_splits(count: int, folds: int, seed: int, validation_share: float = 0.05) -> list[Fold]:
    """`folds` splits of `count` ratings: a `Fold` of `(train, valid, test)` index arrays each.

    Surprise's protocol: k folds over a random permutation of all ratings
    (scikit-learn's `KFold(shuffle=True)`); each fold's training part loses a
    random `validation_share` for early stopping, so tuning never sees the test fold.

    Example:

    >>> [tuple(map(len, split)) for split in kfold_splits(100, folds=5, seed=0)]
    [(76, 4, 20), (76, 4, 20), (76, 4, 20), (76, 4, 20), (76, 4, 20)]
    """
    from sklearn.model_selection import KFold

    if isinstance(folds, (bool, np.bool_)) or not isinstance(folds, (int, np.integer)) or folds < 2:
        raise ValueError(f"kfold_splits: `folds` must be an integer >= 2, got {folds!r}.")
    check_int_in_range(count, folds, np.iinfo(np.int64).max, "count", "kfold_splits")  # each fold tests >= 1
    check_non_negative_int(seed, "seed", "kfold_splits")
    check_rate(validation_share, "validation_share", "kfold_splits")
    splits = []
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(np.arange(count))):
        shuffled = np.random.default_rng([seed, fold]).permutation(train)
        held = max(1, int(round(len(train) * validation_share)))
        splits.append(Fold(np.sort(shuffled[held:]), np.sort(shuffled[:held]), test))
    return splits
