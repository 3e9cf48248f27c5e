"""Dropout on a linear layer's input is an L2 penalty in expectation: the closed forms against an exact float64
reference over every mask, and the slides' Dropout -> Dense trained by `fit` against the closed forms."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from keras_workshop.recommenders import ZeroDiagonal, dlae_weights, ease_weights, edlae_weights

X = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 0, 1], [0, 0, 1, 1]], dtype=np.float64)


def every_mask(x, rate):
    """Each user's every dropout mask as a row `(dropped-out and rescaled input, target, probability)`."""
    rows = []
    for user in x:
        for kept in itertools.product([0, 1], repeat=len(user)):
            kept = np.array(kept)
            probability = np.prod(np.where(kept == 1, 1 - rate, rate))
            rows.append((user * kept / (1 - rate), user, probability))
    return rows


def reference(x, rate, l2, zero_diagonal):
    """The minimiser of the expected squared error over every mask plus `l2 |B|²`: weighted least squares, float64."""
    rows = every_mask(x, rate)
    inputs = np.array([r[0] for r in rows]) * np.sqrt([r[2] for r in rows])[:, None]
    targets = np.array([r[1] for r in rows]) * np.sqrt([r[2] for r in rows])[:, None]
    items = x.shape[1]
    weights = np.zeros((items, items))
    for column in range(items):
        used = [i for i in range(items) if not (zero_diagonal and i == column)]
        design = np.vstack([inputs[:, used], np.sqrt(l2) * np.eye(len(used))])
        target = np.concatenate([targets[:, column], np.zeros(len(used))])
        weights[used, column] = np.linalg.lstsq(design, target, rcond=None)[0]
    return weights


@pytest.mark.parametrize("rate, l2", [(0.3, 0.5), (0.5, 0.0), (0.8, 2.0), (0.0, 1.0)])
def test_the_closed_forms_are_the_expected_loss_minimisers_over_every_mask(rate, l2):
    if rate > 0 or l2 > 0:
        np.testing.assert_allclose(dlae_weights(X, rate, l2), reference(X, rate, l2, zero_diagonal=False), atol=1e-9)
    np.testing.assert_allclose(edlae_weights(X, rate, l2), reference(X, rate, l2, zero_diagonal=True), atol=1e-9)
    if rate == 0:
        np.testing.assert_allclose(edlae_weights(X, 0.0, l2), ease_weights(X, l2), atol=1e-12)  # EASE is EDLAE at p = 0


@pytest.mark.parametrize("rate, l2", [(0.5, 0.0), (0.3, 1.0)])
def test_a_movie_nobody_chose_has_no_weights_and_the_others_are_as_without_it(rate, l2):
    unchosen = np.c_[X[:, :2], np.zeros(len(X)), X[:, 2:]]  # a third movie nobody chose
    for function in (dlae_weights, edlae_weights):
        weights = function(unchosen, rate, l2)
        assert np.all(np.isfinite(weights)) and not weights[2].any() and not weights[:, 2].any()
        np.testing.assert_allclose(np.delete(np.delete(weights, 2, 0), 2, 1), function(X, rate, l2), atol=1e-12)


@pytest.mark.parametrize("zero_diagonal, closed_form", [(True, edlae_weights), (False, dlae_weights)])
def test_the_slides_dropout_dense_trained_by_fit_reaches_the_closed_form(zero_diagonal, closed_form):
    rng = np.random.default_rng(0)
    users, items, rate, l2 = 64, 6, 0.5, 2.0
    x = (rng.random((users, items)) < 0.4).astype(np.float32)
    x[:, 1] = np.maximum(x[:, 1], x[:, 0])  # planted: whoever chose item 0 chose item 1
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((items,)),
        keras.layers.Dropout(rate),
        # The mean squared error averages over users and items: λ per entry of the mean is λ / (users * items).
        keras.layers.Dense(items, use_bias=False, kernel_initializer="zeros",
                           kernel_constraint=ZeroDiagonal() if zero_diagonal else None,
                           kernel_regularizer=keras.regularizers.L2(l2 / (users * items))),
    ])
    steps = 1500
    model.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(0.05, steps)), "mse")
    model.fit(tf.data.Dataset.from_tensors((x, x)).repeat(), steps_per_epoch=steps, epochs=1, verbose=0)
    trained, expected = model.layers[-1].kernel.numpy(), closed_form(x, rate, l2)
    assert np.corrcoef(trained.ravel(), expected.ravel())[0, 1] > 0.995
    np.testing.assert_allclose(trained, expected, atol=0.03)
    if zero_diagonal:
        assert not trained.diagonal().any()


@given(st.one_of(st.floats(allow_nan=True).filter(lambda r: not 0 <= r < 1), st.booleans(), st.text(max_size=2)))
def test_a_rate_outside_zero_to_one_is_refused(rate):
    for function in (dlae_weights, edlae_weights):
        with pytest.raises(ValueError, match=rf"{function.__name__}: `rate` must be a number in \[0, 1\)"):
            function(X, rate, 1.0)


@pytest.mark.parametrize("l2", [-1.0, float("nan"), float("inf")])
def test_a_penalty_that_is_not_a_finite_number_at_least_0_is_refused_and_so_is_no_penalty_at_all(l2):
    for function in (dlae_weights, edlae_weights):
        with pytest.raises(ValueError, match=rf"{function.__name__}: `l2` must be a finite number >= 0"):
            function(X, 0.5, l2)
        with pytest.raises(ValueError, match="`rate` and `l2` are both 0"):
            function(X, 0.0, 0.0)


def test_zero_diagonal_survives_a_keras_file(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, use_bias=False, kernel_constraint=ZeroDiagonal())])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[0].kernel_constraint, ZeroDiagonal)
