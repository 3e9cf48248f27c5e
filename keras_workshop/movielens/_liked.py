"""What users liked, as sequences of titles in the order they rated them."""

from __future__ import annotations

import numpy as np

from keras_workshop.movielens._data import MovieLens


def liked_sequences(data: MovieLens, min_rating: float = 4.0) -> list[list[str]]:
    """Each user's movies rated at least `min_rating`, by title, in the order they were rated.

    These are the "documents" of item skip-gram: movies liked by the same
    people, near each other in time, are each other's context. Ties in time
    keep the file's order; users with no such rating are left out.

    Example:

    >>> from keras_workshop.movielens import load_movielens
    >>> sequences = liked_sequences(load_movielens())
    >>> len(sequences), sum(map(len, sequences))
    (942, 55203)
    """
    titles = dict(zip(data.item_ids.tolist(), data.titles.tolist()))
    liked = np.flatnonzero(data.ratings >= min_rating)
    order = liked[np.lexsort((liked, data.timestamps[liked], data.rating_users[liked]))]
    sequences: dict[str, list[str]] = {}
    for user, item in zip(data.rating_users[order].tolist(), data.rating_items[order].tolist()):
        sequences.setdefault(user, []).append(titles[item])
    return list(sequences.values())
