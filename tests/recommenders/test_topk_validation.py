"""`TopKValidation`: each epoch's logged figure is `topk_metrics` of that epoch's model, and `EarlyStopping` reading
it returns the best epoch's weights."""

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_workshop.recommenders import TOPK_METRICS, MultinomialLikelihood, TopKValidation, topk_metrics

RNG = np.random.default_rng(0)
BAGS = (RNG.random((40, 12)) < 0.3).astype(np.float32)
HELD = (RNG.random((40, 12)) < 0.2) & (BAGS == 0)


def model():
    keras.utils.set_random_seed(0)
    built = keras.Sequential([keras.Input((12,)), keras.layers.Dropout(0.5), keras.layers.Dense(12)])
    built.compile(keras.optimizers.Adam(0.05), MultinomialLikelihood())
    return built


class Record(keras.callbacks.Callback):
    """Measures the model itself after each epoch, the reference for the logged value."""

    def __init__(self):
        super().__init__()
        self.values = []

    def on_epoch_end(self, epoch, logs=None):
        self.values.append(topk_metrics(self.model.predict(BAGS, verbose=0), HELD, BAGS > 0, k=3)["recall"])


def test_each_epoch_logs_the_metric_of_that_epochs_model_and_the_best_so_far():
    validation, record = TopKValidation(BAGS, HELD, BAGS > 0, metric="recall", k=3), Record()
    history = model().fit(BAGS, BAGS, epochs=6, verbose=0, callbacks=[validation, record])
    np.testing.assert_allclose(history.history["val_recall"], record.values)
    assert validation.best == max(record.values) and validation.best_epoch == int(np.argmax(record.values))


def test_early_stopping_on_it_restores_the_best_epochs_weights_and_a_new_fit_starts_afresh():
    trained = model()
    validation = TopKValidation(BAGS, HELD, BAGS > 0, k=3)
    stopping = keras.callbacks.EarlyStopping("val_ndcg", mode="max", patience=2, restore_best_weights=True)
    history = trained.fit(BAGS, BAGS, epochs=30, verbose=0, callbacks=[validation, stopping])
    best = max(history.history["val_ndcg"])
    assert topk_metrics(trained.predict(BAGS, verbose=0), HELD, BAGS > 0, k=3)["ndcg"] == pytest.approx(best)
    state = validation.get_state()
    assert state == {"best": best, "best_epoch": int(np.argmax(history.history["val_ndcg"]))}
    trained.fit(BAGS, BAGS, epochs=1, verbose=0, callbacks=[validation])
    assert validation.best_epoch == 0  # reset when training begins
    validation.set_state(state)  # as a resumed training does
    assert (validation.best, validation.best_epoch) == (state["best"], state["best_epoch"])


@given(st.one_of(st.text(max_size=5).filter(lambda name: name not in TOPK_METRICS), st.integers(), st.none()))
def test_a_metric_it_does_not_know_is_refused_by_name(metric):
    with pytest.raises(ValueError, match="is not one of"):
        TopKValidation(BAGS, HELD, BAGS > 0, metric=metric)


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=13)))
def test_k_outside_one_to_the_number_of_items_is_refused(k):
    with pytest.raises(ValueError, match="k"):
        TopKValidation(BAGS, HELD, BAGS > 0, k=k)


def test_shapes_that_disagree_are_refused():
    with pytest.raises(ValueError, match="one row per user"):
        TopKValidation(BAGS[:5], HELD, BAGS > 0)
    with pytest.raises(ValueError, match="shape"):
        TopKValidation(BAGS, HELD, BAGS[:, :5] > 0)
