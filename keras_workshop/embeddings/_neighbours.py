"""Top-k cosine nearest neighbours in an embedding matrix."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_workshop._checks import check_ids
from keras_workshop.embeddings._unit_rows import inverse_norms, unit_rows

_GROUP = 32  # rows per group whose maximum is compared with each query's k-th best score
_SCORES_PER_CHUNK = 1 << 21  # 8 MB of float32 scores: stays in cache


def nearest_neighbours(
    embeddings,
    query_ids,
    k: int = 10,
    exclude_self: bool = True,
    normalized: bool = False,
    chunk_size: int | None = None,
):
    """Returns the `k` rows of `embeddings` most cosine-similar to each query row.

    One matrix product of the normalised queries with the rows, chunk by
    chunk (memory stays bounded at any vocabulary size), plus a top-k that
    only looks at blocks of scores that can still enter a query's top k.

    Args:
        embeddings: a `(V, d)` matrix: NumPy array, tensor or Keras variable
            (for example `embedding_layer.embeddings`).
        query_ids: one row id or a 1-D array-like of row ids.
        k: how many neighbours per query.
        exclude_self: leave each query's own row out of its neighbours.
        normalized: the rows already have unit norm; skip computing norms.
        chunk_size: rows per chunk; by default sized so a chunk's scores
            stay in cache.

    Returns:
        `(ids, scores)`: int64 ids and cosine scores, best first (equal scores:
        lower id first), of shape `(len(query_ids), k)`, or `(k,)` for one id.
        When several rows tie for the k-th place, which of them is returned is
        unspecified.
        A zero row has cosine 0 with every row.

    Raises:
        ValueError: for a row with NaN or inf (naming the rows), bad ids, or k.

    Example:

    >>> vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> ids, scores = nearest_neighbours(vectors, 0, k=1)
    >>> ids
    array([1])
    """
    matrix = _as_numpy(embeddings)
    if matrix.ndim != 2:
        raise ValueError(f"Expected a (V, d) embedding matrix, got shape {matrix.shape}.")
    if matrix.dtype not in (np.float32, np.float64):
        matrix = matrix.astype(np.float32)
    single = np.ndim(query_ids) == 0
    ids = check_ids(np.atleast_1d(query_ids), len(matrix), "nearest_neighbours: query_ids")
    if ids.ndim != 1:
        raise ValueError(f"Expected one id or a 1-D array of ids, got shape {ids.shape}.")
    limit = len(matrix) - 1 if exclude_self else len(matrix)
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= limit:
        raise ValueError(
            f"k must be an integer in [1, {limit}] for {len(matrix)} rows"
            f"{' excluding self' if exclude_self else ''}, got k={k!r}."
        )
    if chunk_size is None:
        chunk_size = _SCORES_PER_CHUNK // max(len(ids), 1)
    chunk_size = int(min(max(chunk_size - chunk_size % _GROUP, k, _GROUP), len(matrix)))

    if not np.isfinite(matrix[ids]).all():
        _refuse_non_finite(matrix)
    queries = unit_rows(matrix[ids])
    best_scores = np.full((len(ids), k), -np.inf, dtype=matrix.dtype)
    best_ids = np.full((len(ids), k), -1, dtype=np.int64)
    for start in range(0, len(matrix), chunk_size):
        scores = _scores(matrix[start : start + chunk_size], queries, normalized)
        if exclude_self:
            own = np.nonzero((ids >= start) & (ids < start + len(scores)))[0]
            scores[ids[own] - start, own] = -np.inf
        if np.isnan(scores).any():  # a NaN or inf row: its scores are NaN (found here, not by a pass over the matrix)
            _refuse_non_finite(matrix)
        _merge(best_scores, best_ids, scores, start)

    order = np.lexsort((best_ids, -best_scores), axis=-1)
    best_ids = np.take_along_axis(best_ids, order, axis=1)
    best_scores = np.take_along_axis(best_scores, order, axis=1)
    return (best_ids[0], best_scores[0]) if single else (best_ids, best_scores)


def _refuse_non_finite(matrix: np.ndarray) -> None:
    rows = np.nonzero(~np.isfinite(matrix).all(axis=1))[0]
    raise ValueError(
        f"nearest_neighbours: the embedding matrix has NaN or inf in rows {rows[:10].tolist()}"
        f"{' ...' if len(rows) > 10 else ''} ({len(rows)} rows); cosine neighbours need finite vectors "
        "(a diverged training run?)."
    )


def _as_numpy(embeddings) -> np.ndarray:
    """The matrix as a NumPy array, without a copy where the backend allows one.

    NumPy input is used as it is; a tensor in host memory (TensorFlow, JAX, or
    torch on CPU) is viewed through `np.asarray`, which saves copying the whole
    table on every call (a callback reads it every epoch); anything else goes
    through `keras.ops.convert_to_numpy`. The matrix is only read.
    """
    if isinstance(embeddings, np.ndarray):
        return embeddings
    if isinstance(embeddings, keras.Variable):  # read the variable once
        embeddings = embeddings.value
    try:
        return np.asarray(embeddings)
    except (TypeError, ValueError, RuntimeError):  # e.g. a torch tensor on a GPU
        return np.asarray(ops.convert_to_numpy(embeddings))


def _scores(block: np.ndarray, queries: np.ndarray, normalized: bool) -> np.ndarray:
    """Cosine of each row of `block` with each query, shape `(rows, queries)`."""
    if normalized:
        return block @ queries.T
    inverse = inverse_norms(block)
    if len(queries) < block.shape[1]:  # cheaper to scale the scores than the rows
        scores = block @ queries.T
        scores *= inverse[:, None]
        return scores
    return (block * inverse[:, None]) @ queries.T


def _merge(best_scores, best_ids, scores, start) -> None:
    """Merges one chunk's `(rows, queries)` scores into the running top k, in place.

    The chunk's rows form groups of `_GROUP` strided rows (group g holds rows
    g, g + n, g + 2n, ... for n groups), so the group maxima are an
    element-wise max of `_GROUP` contiguous slabs, which NumPy vectorises.
    Only groups whose maximum reaches a query's threshold are read: its
    current k-th best score, or, before it has k, its k-th largest group
    maximum in this chunk (k rows score at least that much). One query has
    its own, shorter path (`_merge_one_query`).
    """
    k = best_scores.shape[1]
    rows_in_chunk = len(scores)
    if scores.shape[1] == 1:
        _merge_one_query(best_scores[0], best_ids[0], scores[:, 0], start)
        return
    if rows_in_chunk % _GROUP:  # the last chunk: pad with -inf to whole groups
        padded = np.full((rows_in_chunk + _GROUP - rows_in_chunk % _GROUP, scores.shape[1]), -np.inf, scores.dtype)
        padded[:rows_in_chunk] = scores
        scores = padded
    groups = len(scores) // _GROUP
    group_max = scores.reshape(_GROUP, groups, scores.shape[1]).max(axis=0)
    threshold = best_scores.min(axis=1)
    if start == 0 and groups >= k:
        threshold = np.partition(group_max, groups - k, axis=0)[groups - k]
    hot = np.greater_equal(group_max.T, threshold[:, None], order="C")
    hot_queries, hot_groups = np.nonzero(hot)  # in query order
    if not hot_queries.size:
        return
    rows = hot_groups[:, None] + groups * np.arange(_GROUP)
    candidates = scores.ravel().take(rows * scores.shape[1] + hot_queries[:, None])  # flat: faster than 2-D
    keep = (candidates >= threshold[hot_queries][:, None]) & (rows < rows_in_chunk)
    touched = np.broadcast_to(hot_queries[:, None], keep.shape)[keep]  # sorted
    counts = np.bincount(touched, minlength=len(threshold))  # touched is sorted: no np.unique needed
    queries = np.flatnonzero(counts)
    counts = counts[queries]
    first = np.cumsum(counts) - counts
    # One row per touched query: its current top k, then its new candidates (padded with -inf).
    pool_scores = np.full((len(queries), k + counts.max()), -np.inf, dtype=scores.dtype)
    pool_ids = np.full(pool_scores.shape, -1, dtype=np.int64)
    pool_scores[:, :k], pool_ids[:, :k] = best_scores[queries], best_ids[queries]
    slot = np.repeat(np.arange(len(queries)), counts)
    column = k + np.arange(len(touched)) - np.repeat(first, counts)
    pool_scores[slot, column] = candidates[keep]
    pool_ids[slot, column] = rows[keep] + start
    top = np.argpartition(-pool_scores, k - 1, axis=1)[:, :k]
    best_scores[queries] = np.take_along_axis(pool_scores, top, axis=1)
    best_ids[queries] = np.take_along_axis(pool_ids, top, axis=1)


def _merge_one_query(best_scores, best_ids, column, start) -> None:
    """`_merge` for one query's column of scores.

    The threshold is the larger of the current k-th best score and the k-th
    largest group maximum (k rows score at least that much); the rows that
    reach it are found in one comparison over the column and join the running
    top k, with no per-group bookkeeping.
    """
    k = len(best_scores)
    threshold = best_scores.min()
    blocks = len(column) // _GROUP
    if blocks >= k:
        block_max = column[: blocks * _GROUP].reshape(_GROUP, blocks).max(axis=0)  # strided groups again
        threshold = max(threshold, np.partition(block_max, blocks - k)[blocks - k])
    rows = np.flatnonzero(column >= threshold)
    pool_scores = np.concatenate([best_scores, column[rows]])
    pool_ids = np.concatenate([best_ids, rows + start])
    top = np.argpartition(pool_scores, len(pool_scores) - k)[-k:]
    best_scores[:], best_ids[:] = pool_scores[top], pool_ids[top]
