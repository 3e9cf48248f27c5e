"""Genres of movies, and how much item neighbours share a genre compared with baselines."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from keras_workshop._checks import check_not_a_string
from keras_workshop.movielens._data import GENRES, MovieLens


def genre_matrix(data: MovieLens, titles: Sequence[str]) -> np.ndarray:
    """`(len(titles), 19)` bool: the genres of each title, in `GENRES` order.

    Raises:
        ValueError: naming a title that `data` does not have.
    """
    check_not_a_string(titles, "genre_matrix: titles")
    rows = {title: [g in genres for g in GENRES] for title, genres in zip(data.titles, data.genres)}
    missing = [title for title in titles if title not in rows]
    if missing:
        raise ValueError(f"genre_matrix: {len(missing)} title(s) not in MovieLens, e.g. {missing[:3]}.")
    return np.array([rows[title] for title in titles], dtype=bool).reshape(len(titles), len(GENRES))


def genre_share(genres: np.ndarray, query_ids, neighbour_ids) -> float:
    """The share of (query, neighbour) pairs whose movies have at least one genre in common.

    Args:
        genres: `(items, 19)` bool, as `genre_matrix` gives.
        query_ids: `(queries,)` row ids.
        neighbour_ids: `(queries, k)` row ids of each query's neighbours.

    Example:

    >>> genres = np.array([[1, 0], [1, 1], [0, 1]], dtype=bool)
    >>> genre_share(genres, [0, 2], [[1, 2], [0, 1]])  # pairs (0,1) yes, (0,2) no, (2,0) no, (2,1) yes
    0.5
    """
    query_ids = np.asarray(query_ids)
    neighbour_ids = np.asarray(neighbour_ids)
    if neighbour_ids.ndim != 2 or len(neighbour_ids) != len(query_ids):
        raise ValueError(
            f"genre_share: expected neighbour ids of shape (queries, k) for {len(query_ids)} queries, "
            f"got {neighbour_ids.shape}."
        )
    shared = np.any(genres[query_ids][:, None, :] & genres[neighbour_ids], axis=-1)
    return float(shared.mean())


def genre_baselines(genres: np.ndarray, query_ids, popularity, k: int = 10, seed: int = 0) -> dict[str, float]:
    """The genre share of two neighbour-free answers, for comparison.

    `random pairs`: each query with `k` movies drawn at random (not itself);
    `most popular`: each query with the `k` most rated movies other than itself.

    Args:
        genres: `(items, 19)` bool.
        query_ids: the queries' row ids.
        popularity: `(items,)` how often each movie was rated.
    """
    query_ids = np.asarray(query_ids)
    rng = np.random.default_rng(seed)
    items = len(genres)
    drawn = rng.integers(0, items - 1, (len(query_ids), k))
    drawn += drawn >= query_ids[:, None]  # skip the query itself
    ranked = np.argsort(-np.asarray(popularity), kind="stable")[: k + 1]
    popular = np.array([[i for i in ranked if i != q][:k] for q in query_ids])
    return {
        "random pairs": genre_share(genres, query_ids, drawn),
        "most popular": genre_share(genres, query_ids, popular),
    }
