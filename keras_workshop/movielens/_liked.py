"""What users liked, as sequences of titles in the order they rated them."""

from __future__ import annotations

import numpy as np

from keras_workshop.movielens._data import MovieLens


def liked_sequences(data: MovieLens, min_rating: float = 4.0) -> list[list[str]]:
    """Each user's movies rated at least `min_rating`, by title, in the order they were rated.

    These are the "documents" of item skip-gram: movies liked by the same
    people, near each other in time, are each other's context. Ties in time
    keep the file's order; users with no such rating are left out (a
    `min_rating` above every rating gives none). A `min_rating` that is not
    a finite number is a `ValueError`.

    Example:

    >>> from keras_workshop.movielens import load_movielens
    >>> sequences = liked_sequences(load_movielens())
    >>> len(sequences), sum(map(len, sequences))
    (942, 55203)
    """
    if isinstance(min_rating, (bool, np.bool_)) or not isinstance(min_rating, (int, float, np.number)) or not np.isfinite(
            min_rating):
        raise ValueError(f"liked_sequences: `min_rating` must be a finite number, got {min_rating!r}.")
    titles = dict(zip(data.item_ids.tolist(), data.titles.tolist()))
    liked = np.flatnonzero(data.ratings >= min_rating)
    order = liked[np.lexsort((liked, data.timestamps[liked], data.rating_users[liked]))]
    sequences: dict[str, list[str]] = {}
    for user, item in zip(data.rating_users[order].tolist(), data.rating_items[order].tolist()):
        sequences.setdefault(user, []).append(titles[item])
    return list(sequences.values())
