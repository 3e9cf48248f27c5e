"""Lab 3, distance and similarity: euclidean against cosine, the 1/sqrt(d) spread, cosine nearest neighbours."""

from __future__ import annotations

import functools
import math

import numpy as np

from keras_workshop.labs._checks import Wrong, answer, exercise, quiet_keras

LAB = "lab3_similarity"


def _pairs():
    rng = np.random.default_rng(0)
    for size in (1, 2, 5, 32, 100):
        yield rng.normal(size=size), rng.normal(size=size) * 3


@exercise(LAB)
def euclidean(function):
    """`euclidean(x, y)`: the length of `x - y`."""
    for x, y in _pairs():
        got = float(answer(function, x.copy(), y.copy(), name="euclidean"))
        expected = float(np.sqrt(np.sum((x - y) ** 2)))
        if math.isclose(got, expected ** 2, rel_tol=1e-6) and not math.isclose(expected, 1.0, rel_tol=1e-3):
            raise Wrong("that is the squared distance: take its square root")
        if math.isclose(got, float(np.sum(np.abs(x - y))), rel_tol=1e-6) and x.size > 1:
            raise Wrong("that adds up absolute differences (the L1 distance): square them, add, take the square root")
        if not math.isclose(got, expected, rel_tol=1e-6):
            raise Wrong(f"for vectors of {x.size} numbers you gave {got:.6g}: subtract, square each difference, add "
                        "them up, take the square root")
    return "the L2 norm of x - y, as NumPy computes it in float64"


@exercise(LAB)
def cosine(function):
    """`cosine(x, y)`: the dot product of `x` and `y` divided by both their norms."""
    for x, y in _pairs():
        if x.size == 1:
            continue
        got = float(answer(function, x.copy(), y.copy(), name="cosine"))
        expected = float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))
        if math.isclose(got, float(x @ y), rel_tol=1e-6) and not math.isclose(expected, got, rel_tol=1e-6):
            raise Wrong("that is the dot product: cosine(x, 3 * x) must be 1, whatever the norms; divide by both")
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            raise Wrong(f"for vectors of {x.size} numbers you gave {got:.6g}: cosine(x, 3 * x) is 1, cosine(x, -x) "
                        "is -1; divide the dot product by the product of the two norms")
    return "in [-1, 1], blind to the vectors' lengths"


@exercise(LAB)
def cosine_spread(function):
    """`cosine_spread(d)`: the standard deviation of the cosine between two random vectors of `d` normal numbers."""
    for d in (2, 8, 32, 128, 1000):
        got = float(answer(function, d, name="cosine_spread"))
        if math.isclose(got, 1 / d, rel_tol=0.05):
            raise Wrong(f"for d = {d} you gave about 1/d: that is the variance; the spread is its square root")
        if got >= 1 / math.sqrt(d) * 1.5 or got <= 0:
            raise Wrong(f"for d = {d} you gave {got:.4g}: measure it, the std of many random pairs' cosines, for a "
                        "few d: it shrinks as d grows, by half each time d is 4 times larger")
        if not math.isclose(got, 1 / math.sqrt(d), rel_tol=0.05):
            raise Wrong(f"for d = {d} you gave {got:.4g}, off by more than 5%: how does the spread change when d is "
                        "4 times larger?")
    return "random vectors in many dimensions are nearly orthogonal: cosines near 0, within about 1/sqrt(d)"


@exercise(LAB)
def nearest(function):
    """`nearest(vectors, i, k)`: the `k` rows most cosine-similar to row `i`, most similar first, `i` left out."""
    quiet_keras()  # the library's neighbours run on TensorFlow
    from keras_workshop.embeddings import nearest_neighbours

    rng = np.random.default_rng(3)
    random = rng.normal(size=(60, 8)) * rng.uniform(0.1, 10, size=(60, 1))  # lengths that must not count
    movies = movie_vectors()[1]
    for vectors, i, k in ((random, 0, 5), (random, 17, 1), (random, 59, 10), (movies, 49, 10), (movies, 0, 3)):
        got = np.asarray(answer(function, vectors.copy(), i, k, name="nearest")).astype(int).ravel()
        expected = nearest_neighbours(vectors, [i], k=k)[0][0]
        if got.shape != (k,):
            raise Wrong(f"nearest(vectors, {i}, {k}) gave {got.size} rows: k = {k} row ids")
        if i in got:
            raise Wrong(f"row {i} is among its own neighbours: leave it out (its cosine with itself is 1)")
        euclid = np.argsort(np.linalg.norm(vectors - vectors[i], axis=1), kind="stable")
        if np.array_equal(got, euclid[euclid != i][:k]) and not np.array_equal(got, expected):
            raise Wrong("those are the nearest by euclidean distance: rank by cosine, where lengths do not count")
        if np.array_equal(got, expected[::-1]) and k > 1:
            raise Wrong("the right rows, in reverse: the most similar comes first")
        if not np.array_equal(got, expected):
            raise Wrong(f"nearest(vectors, {i}, {k}) = {got.tolist()}, not the {k} rows of highest cosine with row {i}")
    return ("the same rows, in the same order, as keras_workshop.embeddings.nearest_neighbours, on random vectors "
            "and on movie vectors")


def movie_vectors(dim: int = 32) -> tuple[list, np.ndarray]:
    """`(titles, vectors)`: one vector per MovieLens-100k movie, from what users chose (offline, deterministic).

    The movies' rows of the best rank-`dim` approximation of the users-by-movies
    matrix of choices (a truncated SVD, `V S`): movies chosen by the same users
    point the same way. Labs look for nearest neighbours among them. The
    vectors are read-only (computed once, shared by every call).

    Example:

    >>> titles, vectors = movie_vectors()
    >>> len(titles), vectors.shape, vectors.flags.writeable
    (1664, (1664, 32), False)
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 1 <= dim <= 943:
        raise ValueError(f"movie_vectors: dim must be a whole number in [1, 943] (MovieLens-100k's users), got {dim!r}.")
    titles, vectors = _movie_vectors(int(dim))
    return list(titles), vectors


@functools.cache
def _movie_vectors(dim: int) -> tuple[tuple, np.ndarray]:
    from keras_workshop.movielens import load_movielens

    data = load_movielens()
    users = {user: row for row, user in enumerate(data.user_ids)}
    movies = {item: column for column, item in enumerate(data.item_ids)}
    chosen = np.zeros((len(users), len(movies)))
    chosen[[users[u] for u in data.rating_users], [movies[i] for i in data.rating_items]] = 1
    _, values, rows = np.linalg.svd(chosen, full_matrices=False)
    vectors = rows[:dim].T * values[:dim]
    vectors.setflags(write=False)
    return tuple(data.titles.tolist()), vectors
