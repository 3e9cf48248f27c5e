"""`ScoreBlend` against a float64 NumPy blend of z-scores, as a model that saves and reloads; `paired_difference`
against SciPy's paired t-test."""

import keras
import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_workshop.recommenders import ScoreBlend, paired_difference, score_blend_model, topk_metrics


def numpy_blend(scores, weights):
    total = 0.0
    for weight, each in zip(weights, scores):
        each = np.asarray(each, np.float64)
        spread = each.std(axis=1, keepdims=True)
        total = total + weight * np.where(spread > 0, (each - each.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1), 0)
    return total


rows_of_scores = st.integers(1, 5).flatmap(lambda models: st.tuples(
    st.lists(hnp.arrays(np.float64, (3, 7), elements=st.floats(-100, 100).map(lambda x: round(x, 2))),
             min_size=models, max_size=models),
    st.lists(st.floats(0, 5), min_size=models, max_size=models).filter(lambda weights: any(weights)),
))


@given(rows_of_scores)
def test_the_blend_is_the_weighted_sum_of_each_rows_z_scores(case):
    scores, weights = case
    blended = np.asarray(ScoreBlend(weights)([s.astype(np.float32) for s in scores]))
    np.testing.assert_allclose(blended, numpy_blend(scores, weights), rtol=1e-4, atol=1e-3)


def test_a_constant_row_ranks_nothing_and_the_scale_of_a_model_does_not_matter():
    flat = np.ones((1, 4), np.float32)
    np.testing.assert_array_equal(np.asarray(ScoreBlend([1.0])([flat])), 0.0)
    scores = np.array([[0.0, 3.0, 1.0, 2.0]], np.float32)
    np.testing.assert_allclose(np.asarray(ScoreBlend([1.0, 1.0])([scores, 1000 * scores + 5])),
                               np.asarray(ScoreBlend([2.0])([scores])), atol=1e-5)


@given(st.one_of(
    st.just([]), st.just([0.0, 0.0]), st.lists(st.sampled_from([-1.0, float("nan"), float("inf"), "1", None]),
                                               min_size=1, max_size=3),
    st.sampled_from([None, 1.0, "weights"]),
))
def test_weights_that_blend_nothing_are_refused_by_value(weights):
    with pytest.raises(ValueError, match="ScoreBlend"):
        ScoreBlend(weights)


def test_a_count_of_inputs_other_than_the_weights_is_refused():
    with pytest.raises(ValueError, match="2 score inputs for 3 weights"):
        ScoreBlend([1.0, 1.0, 1.0])([np.ones((1, 3)), np.ones((1, 3))])


def test_the_blend_model_reads_one_bag_and_saves_and_reloads(tmp_path):
    keras.utils.set_random_seed(0)
    models = [keras.Sequential([keras.Input((6,)), keras.layers.Dense(6, name=f"dense_{i}")], name=f"m{i}") for i in range(2)]
    bags = (np.random.default_rng(0).random((5, 6)) < 0.5).astype(np.float32)
    blend = score_blend_model(models, [1.0, 0.3])
    expected = numpy_blend([model.predict(bags, verbose=0) for model in models], [1.0, 0.3])
    np.testing.assert_allclose(blend.predict(bags, verbose=0), expected, atol=1e-4)
    blend.save(tmp_path / "blend.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "blend.keras").predict(bags, verbose=0), expected,
                               atol=1e-4)
    with pytest.raises(ValueError, match="one weight per model"):
        score_blend_model(models, [1.0])


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=8).filter(
    lambda pairs: np.ptp([a - b for a, b in pairs]) > 1e-6))
def test_the_paired_standard_error_is_scipys_paired_t_test(pairs):
    values, baseline = dict(enumerate(a for a, _ in pairs)), dict(enumerate(b for _, b in pairs))
    result = paired_difference(values, baseline)
    t = scipy.stats.ttest_rel([a for a, _ in pairs], [b for _, b in pairs]).statistic
    assert result["mean"] / result["standard_error"] == pytest.approx(t, rel=1e-6)
    assert result["ahead"] == sum(a > b for a, b in pairs) and result["splits"] == len(pairs)


def test_paired_difference_pairs_by_split_and_refuses_what_it_cannot_pair():
    assert paired_difference({0: 0.3, 1: 0.4}, {1: 0.35, 0: 0.28})["mean"] == pytest.approx(0.035)
    assert np.isnan(paired_difference({0: 0.3}, {0: 0.2})["standard_error"])
    for values, baseline in (({0: 0.3}, {1: 0.3}), ({0: 0.3, 1: 0.2}, {0: 0.3}), ({}, {})):
        with pytest.raises(ValueError, match="expected the same splits"):
            paired_difference(values, baseline)
    with pytest.raises(ValueError, match="NaN or inf"):
        paired_difference({0: float("nan"), 1: 0.2}, {0: 0.1, 1: 0.1})


def test_a_nan_score_makes_its_rows_blend_nan_which_the_metrics_refuse():
    scores = np.array([[0.0, np.nan, 1.0], [0.0, 2.0, 1.0]], np.float32)
    blended = np.asarray(ScoreBlend([1.0])([scores]))
    assert np.isnan(blended[0]).all() and np.isfinite(blended[1]).all()
    with pytest.raises(ValueError, match="NaN or inf"):
        topk_metrics(blended, np.array([[0, 0, 1], [0, 0, 1]]), np.zeros((2, 3)), k=1)
