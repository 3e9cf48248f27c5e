"""The top-k protocol, metrics against keras-rs and a float64 loop, and the baselines against references."""

import keras_rs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.movielens import every_pair_rows, field_vocabulary, load_movielens, rating_rows

from keras_workshop.recommenders import (
    ease_scores,
    group_popular_scores,
    item_knn_scores,
    most_popular_scores,
    top_k,
    topk_metrics,
    topk_split,
)


def reference_metrics(scores, relevant, seen, k):
    """The textbook loop, in float64: rank unseen items (ties: lower index first), score each user."""
    totals, users = {"recall": 0.0, "ndcg": 0.0, "mrr": 0.0, "hit": 0.0, "precision": 0.0}, 0
    for row in range(len(scores)):
        wanted = set(np.flatnonzero(relevant[row]))
        if not wanted:
            continue
        users += 1
        ranked = sorted((i for i in range(scores.shape[1]) if not seen[row, i]), key=lambda i: (-scores[row, i], i))[:k]
        hits = [i in wanted for i in ranked]
        totals["recall"] += sum(hits) / len(wanted)
        totals["precision"] += sum(hits) / k
        totals["hit"] += float(any(hits))
        totals["mrr"] += 1 / (hits.index(True) + 1) if any(hits) else 0.0
        ideal = sum(1 / np.log2(r + 2) for r in range(min(len(wanted), k)))
        totals["ndcg"] += sum(1 / np.log2(r + 2) for r, hit in enumerate(hits) if hit) / ideal
    return {name: value / users for name, value in totals.items()} | {"users": users}


@pytest.mark.parametrize("seed", range(6))
def test_metrics_against_a_float64_loop_with_ties_few_relevant_and_none(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, (12, 15)).astype(float)  # many ties
    seen = rng.random((12, 15)) < 0.3
    relevant = (rng.random((12, 15)) < 0.15) & ~seen
    relevant[0] = False  # a user with nothing relevant is left out
    relevant[1] = False
    relevant[1, 3], seen[1, 3] = True, False  # one relevant item, fewer than k
    for k in (1, 5, 10):
        ours, expected = topk_metrics(scores, relevant, seen, k), reference_metrics(scores, relevant, seen, k)
        assert ours["users"] == expected["users"]
        for name in ("recall", "ndcg", "mrr", "hit", "precision"):
            assert ours[name] == pytest.approx(expected[name], abs=1e-12), (name, k)


def test_metrics_against_keras_rs_on_untied_scores():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((40, 60))
    seen = rng.random((40, 60)) < 0.2
    relevant = (rng.random((40, 60)) < 0.1) & ~seen
    relevant[:, 0] = ~seen[:, 0]  # every user has a relevant item
    ours = topk_metrics(scores, relevant, seen, k=10)
    labels = {"labels": relevant.astype("float32"), "mask": ~seen}
    for name, metric in (("ndcg", keras_rs.metrics.NDCG(k=10)), ("recall", keras_rs.metrics.RecallAtK(k=10)),
                         ("precision", keras_rs.metrics.PrecisionAtK(k=10)),
                         ("mrr", keras_rs.metrics.MeanReciprocalRank(k=10))):
        metric.update_state(labels, scores.astype("float32"))
        assert ours[name] == pytest.approx(float(metric.result()), abs=1e-5), name


def test_top_k_never_recommends_a_seen_item_and_bad_input_is_named():
    scores = np.array([[0.1, 0.9, 0.5]])
    assert top_k(scores, np.array([[False, True, True]]), k=3).tolist() == [[0, -1, -1]]
    with pytest.raises(ValueError, match="hold NaN or inf"):
        topk_metrics(np.array([[np.nan, 1.0]]), np.array([[1, 0]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="both relevant and seen"):
        topk_metrics(scores, np.array([[1, 0, 0]]), np.array([[1, 0, 0]]))
    with pytest.raises(ValueError, match="no user has a relevant item"):
        topk_metrics(scores, np.zeros((1, 3)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"`k` must be an integer in \[1, 3\]"):
        top_k(scores, np.zeros((1, 3)), k=4)
    with pytest.raises(ValueError, match="expected"):
        topk_metrics(scores, np.zeros((2, 3)), np.zeros((1, 3)))


@pytest.fixture(scope="module")
def movielens():
    return load_movielens()


def test_the_split_is_per_user_disjoint_seeded_and_as_recbole_counts(movielens):
    split = topk_split(movielens, seed=3)
    parts = [split.train, split.valid, split.test]
    assert sum(part.nnz for part in parts) == len(movielens.ratings)
    assert all(a.multiply(b).nnz == 0 for i, a in enumerate(parts) for b in parts[i + 1:])  # no test movie trained on
    per_user = np.asarray(split.seen_before_test.sum(axis=1) + split.test.sum(axis=1)).ravel()
    assert np.array_equal(np.asarray(split.test.sum(axis=1)).ravel(), (0.1 * per_user).astype(int))
    assert np.array_equal(topk_split(movielens, seed=3).test.indices, split.test.indices)
    assert topk_split(movielens, seed=4).test.multiply(split.test).nnz < split.test.nnz
    explicit = topk_split(movielens, seed=3, ratios=(0.8, 0.0, 0.2), relevant_min_rating=4)
    assert explicit.valid.nnz == 0 and explicit.test.nnz < 0.2 * len(movielens.ratings)
    with pytest.raises(ValueError, match="ratios must be 3 non-negative shares summing to 1"):
        topk_split(movielens, seed=0, ratios=(0.5, 0.5, 0.5))


def test_ease_is_the_zero_diagonal_least_squares_solution():
    """Each column of B is ridge regression of item j on the other items (Steck 2019), solved directly."""
    x = (np.random.default_rng(0).random((30, 8)) < 0.4).astype(float)
    ours = ease_scores(x, l2=2.0)
    weights = np.zeros((8, 8))
    for j in range(8):
        others = [i for i in range(8) if i != j]
        a = x[:, others]
        weights[others, j] = np.linalg.solve(a.T @ a + 2.0 * np.eye(7), a.T @ x[:, j])
    np.testing.assert_allclose(ours, x @ weights, atol=1e-9)


def test_item_knn_against_a_loop():
    rng = np.random.default_rng(1)
    x = (rng.random((20, 9)) < 0.4) * rng.random((20, 9))  # weighted, so that no two similarities tie
    norms = np.linalg.norm(x, axis=0)
    cosine = x.T @ x / np.maximum(np.outer(norms, norms), 1e-12)
    expected = np.zeros((20, 9))
    for item in range(9):
        others = sorted((j for j in range(9) if j != item), key=lambda j: -cosine[item, j])[:3]
        expected[:, item] = x[:, others] @ cosine[item, others]
    np.testing.assert_allclose(item_knn_scores(x, neighbours=3), expected, atol=1e-9)


def test_each_baseline_beats_most_popular(movielens):
    split = topk_split(movielens, seed=0)
    popular = topk_metrics(most_popular_scores(split.train), split.valid, split.train)["ndcg"]
    for scores in (item_knn_scores(split.train), ease_scores(split.train)):
        assert topk_metrics(scores, split.valid, split.train)["ndcg"] > popular + 0.05


def test_group_popular_scores_against_a_loop_and_most_popular_for_one_group():
    rng = np.random.default_rng(0)
    train = (rng.random((30, 8)) < 0.3).astype(float)
    train[[3, 17]] = 0  # users with nothing in train (held out): scored, never counted
    groups = rng.choice(["a", "b", "c"], 30)
    scores = group_popular_scores(train, groups, prior=5.0)
    active = train.sum(axis=1) > 0
    overall = train[active].mean(axis=0)
    for user in range(30):
        members = (groups == groups[user]) & active
        expected = (train[members].sum(axis=0) + 5.0 * overall) / (members.sum() + 5.0)
        np.testing.assert_allclose(scores[user], expected, rtol=1e-12)
    one_group = group_popular_scores(train, ["all"] * 30, prior=0.0)
    np.testing.assert_array_equal(top_k(one_group, np.zeros((30, 8)), 8), top_k(most_popular_scores(train),
                                                                                 np.zeros((30, 8)), 8))


@given(st.one_of(st.floats(max_value=-1e-9), st.just(float("nan")), st.just(float("inf")), st.booleans(), st.text()))
@settings(max_examples=20, deadline=None)
def test_group_popular_scores_refuse_a_prior_that_is_not_a_number_at_least_zero(prior):
    with pytest.raises(ValueError, match="`prior` must be a finite number >= 0"):
        group_popular_scores(np.eye(3), ["a", "b", "a"], prior=prior)
    with pytest.raises(ValueError, match="expected one group per user \\(3\\)"):
        group_popular_scores(np.eye(3), ["a", "b"])


def test_every_pair_rows_are_rating_rows_of_each_user_with_each_item():
    data = load_movielens()
    vocabulary = field_vocabulary(data)
    rows = every_pair_rows(data, vocabulary)
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, len(data.user_ids), 50), rng.integers(0, len(data.item_ids), 50)
    expected = rating_rows(data, vocabulary, data.user_ids[users], data.item_ids[items])
    np.testing.assert_array_equal(rows[users * len(data.item_ids) + items], expected)
