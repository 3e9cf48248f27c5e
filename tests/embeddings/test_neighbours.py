"""`nearest_neighbours` against a float64 NumPy reference."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop import nearest_neighbours


def reference(matrix, ids, k, exclude_self=True):
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.where(norms > 0, norms, 1)
    scores = unit[ids] @ unit.T
    if exclude_self:
        scores[np.arange(len(ids)), ids] = -np.inf
    order = np.lexsort((np.broadcast_to(np.arange(len(matrix)), scores.shape), -scores), axis=-1)[:, :k]
    return order, np.take_along_axis(scores, order, axis=1)


@pytest.mark.parametrize(
    "size, dim, queries, k, chunk_size",
    [(1000, 16, 5, 10, None), (5000, 32, 300, 7, 256), (777, 8, 777, 3, 100), (50, 4, 3, 49, None),
     (3000, 16, 1, 10, 256), (45, 4, 1, 40, 8),  # one query: the partition path, over several chunks
     (70_000, 8, 1, 10, None)],  # one query in one long chunk
)
def test_matches_float64_reference(size, dim, queries, k, chunk_size):
    rng = np.random.default_rng(size)
    matrix = rng.standard_normal((size, dim)).astype(np.float32)
    ids = rng.choice(size, queries, replace=False)
    found, scores = nearest_neighbours(matrix, ids, k, chunk_size=chunk_size)
    expected, expected_scores = reference(matrix, ids, k)
    np.testing.assert_array_equal(found, expected)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-6)
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    found_unit, _ = nearest_neighbours(unit, ids, k, normalized=True, chunk_size=chunk_size)
    np.testing.assert_array_equal(found_unit, expected)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(2, 300),
    dim=st.integers(1, 12),
    data=st.data(),
)
def test_property_matches_reference_on_small_random_matrices(size, dim, data):
    exclude_self = data.draw(st.booleans())
    k = data.draw(st.integers(1, size - 1 if exclude_self else size))
    chunk = data.draw(st.sampled_from([None, 64, 128]))
    seed = data.draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-3, 4, (size, dim)).astype(np.float64)  # ties and zero rows happen
    ids = rng.choice(size, data.draw(st.integers(1, size)), replace=False)
    found, scores = nearest_neighbours(matrix, ids, k, exclude_self=exclude_self, chunk_size=chunk)
    _, expected_scores = reference(matrix, ids, k, exclude_self)
    # With ties the ids may differ, but the sorted scores may not.
    np.testing.assert_allclose(scores, expected_scores, atol=1e-9)
    if exclude_self:
        assert not np.any(found == ids[:, None])


def test_single_query_returns_vectors_and_accepts_tensors_and_variables():
    matrix = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    for embeddings in (matrix, tf.constant(matrix), tf.Variable(matrix)):
        ids, scores = nearest_neighbours(embeddings, 0, k=3)
        assert ids.tolist() == [1, 2, 3]
        np.testing.assert_allclose(scores, [0.9 / np.hypot(0.9, 0.1), 0.0, -1.0], atol=1e-6)


@pytest.mark.parametrize("bad_id", [4, -1, 100])
def test_bad_query_ids_name_the_id_and_range(bad_id):
    with pytest.raises(ValueError, match=rf"nearest_neighbours: query_ids: id {bad_id} is out of range: expected ids in \[0, 4\)"):
        nearest_neighbours(np.eye(4), [0, bad_id], k=1)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 3\].*k=4"):
        nearest_neighbours(np.eye(4), 0, k=4)
    with pytest.raises(ValueError, match=r"\(V, d\) embedding matrix, got shape \(4,\)"):
        nearest_neighbours(np.ones(4), 0, k=1)
    with pytest.raises(ValueError, match=r"query_ids: id 0.5 is out of range: expected ids in \[0, 4\) \(whole numbers\)"):
        nearest_neighbours(np.eye(4), [0.5], k=1)
    with pytest.raises(ValueError, match="query_ids: expected integer ids, got dtype"):
        nearest_neighbours(np.eye(4), ["a"], k=1)


def test_memory_stays_bounded_by_the_chunk():
    import tracemalloc

    matrix = np.random.default_rng(0).standard_normal((200_000, 32)).astype(np.float32)
    tracemalloc.start()
    nearest_neighbours(matrix, np.arange(500), k=10)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # a full (500 x 200k) score matrix would be 400 MB; the chunks keep it near 8 MB
    assert peak < 64 * 2**20, peak


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 39), st.sampled_from([np.nan, np.inf, -np.inf]), st.integers(0, 39))
def test_a_nan_or_inf_row_is_an_error_naming_it(bad_row, bad, query):
    matrix = np.random.default_rng(0).standard_normal((40, 6)).astype(np.float32)
    matrix[bad_row, 3] = bad
    with pytest.raises(ValueError, match=rf"NaN or inf in rows \[{bad_row}\]"):
        nearest_neighbours(matrix, [query, (query + 1) % 40], k=5)
    with pytest.raises(ValueError, match=rf"NaN or inf in rows \[{bad_row}\]"):
        nearest_neighbours(matrix, query, k=5)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.lists(st.integers(-30, 30), min_size=40, max_size=40))
def test_tiny_and_huge_rows_keep_their_direction(seed, exponents):
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((40, 6))
    matrix = (directions * 10.0 ** np.array(exponents)[:, None]).astype(np.float32)
    unit = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    expected = unit @ unit[0]
    expected[0] = -np.inf
    ids, scores = nearest_neighbours(matrix, 0, k=3)
    np.testing.assert_allclose(scores, np.sort(expected)[::-1][:3], atol=1e-5)
