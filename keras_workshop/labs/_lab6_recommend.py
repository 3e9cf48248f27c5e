"""Lab 6, recommend and measure: the top k unseen items, "most popular", and NDCG@k as RecBole computes it."""

from __future__ import annotations

import numpy as np

from keras_workshop.labs._checks import Wrong, answer, exercise, quiet_keras

LAB = "lab6_recommend"


def _matrices(seed=0, users=30, items=40):
    rng = np.random.default_rng(seed)
    seen = rng.random((users, items)) < 0.2
    scores = rng.normal(size=(users, items))
    return scores, seen


@exercise(LAB)
def recommend(function):
    """`recommend(scores, seen, k)`: each user's `k` best items by score, best first, never one already seen."""
    quiet_keras()
    from keras_workshop.recommenders import top_k

    for seed, k in ((0, 5), (1, 1), (2, 10)):
        scores, seen = _matrices(seed)
        got = np.asarray(answer(function, scores.copy(), seen.copy(), k, name="recommend"))
        expected = top_k(scores, seen, k)
        if got.shape != expected.shape:
            raise Wrong(f"recommend(scores of 30 users, seen, {k}) has shape {got.shape}: one row of {k} item ids "
                        "per user")
        got = got.astype(int)
        if np.take_along_axis(seen, got, axis=1).any():
            raise Wrong("an item the user has already seen came back: leave the seen items out before ranking")
        if np.array_equal(got, expected[:, ::-1]) and k > 1:
            raise Wrong("the right items, in reverse: the highest score comes first")
        if not np.array_equal(got, expected):
            raise Wrong(f"with k = {k} some users get items that do not have their highest unseen scores")
    return "the same items, in the same order, as keras_workshop.recommenders.top_k"


@exercise(LAB)
def popularity(function):
    """`popularity(train)`: one score per item, the number of users who chose it (the "most popular" baseline)."""
    for seed in (0, 1):
        train = _matrices(seed)[1]
        got = np.asarray(answer(function, train.copy(), name="popularity"), dtype=float)
        if got.shape != (train.shape[1],):
            hint = " (count over the users, axis 0)" if got.shape == (train.shape[0],) else ""
            raise Wrong(f"popularity(train of shape {train.shape}) has shape {got.shape}: one score per item{hint}")
        if not np.array_equal(got, train.sum(axis=0)):
            raise Wrong("each item's score is how many users chose it")
    return "the ranking every user gets from \"most popular\""


@exercise(LAB)
def ndcg_at_k(function):
    """`ndcg_at_k(ranked, relevant, k)`: the mean over users with a relevant item of DCG@k / ideal DCG@k."""
    quiet_keras()
    from keras_workshop.recommenders import topk_metrics

    for seed, k in ((0, 10), (1, 3), (2, 5)):
        scores, relevant = _matrices(seed)
        relevant[0] = False  # a user with nothing to find: left out of the mean
        nothing_seen = np.zeros_like(relevant)
        ranked = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        expected = topk_metrics(scores, relevant, nothing_seen, k=k)["ndcg"]
        got = float(answer(function, ranked.copy(), relevant.copy(), k, name="ndcg_at_k"))
        discounts = 1 / np.log2(np.arange(2, k + 2))
        hits = np.take_along_axis(relevant, ranked, axis=1)
        dcg = hits @ discounts
        with_relevant = relevant.any(axis=1)
        if np.isclose(got, dcg[with_relevant].mean()) and not np.isclose(got, expected):
            raise Wrong("that is DCG: divide each user's DCG by the best DCG that user could get (the ideal ranking)")
        ideal = np.array([discounts[:min(count, k)].sum() for count in relevant.sum(axis=1)])
        everyone = np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0).mean()
        if np.isclose(got, everyone) and not np.isclose(got, expected):
            raise Wrong("users with no relevant item count in your mean: leave them out")
        if not np.isclose(got, expected, atol=1e-9):
            raise Wrong(f"with k = {k} you gave {got:.4f}: a hit at rank r (from 1) gains 1/log2(r + 1), and the "
                        "ideal puts min(relevant, k) hits first")
    return "NDCG@k as RecBole and keras_workshop.recommenders.topk_metrics compute it"
