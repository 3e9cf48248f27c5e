"""The lecture's three learning curves, against what the slides' figures show, and models trained
side by side (one Keras model, one `fit`) against Keras' own `fit` of each."""

import hypothesis
import hypothesis.strategies as st
import keras
import numpy as np
import pytest

from keras_workshop import (
    array_batches,
    SideBySideCrossEntropy,
    batches_per_epoch,
    dropout_mlp,
    member_cross_entropies,
    noisy_digits,
    side_by_side_model,
)


def lecture_data(seed=42):
    split = noisy_digits(noisy_labels=200, seed=42)
    train = array_batches(split.train, 128, shuffle_seed=seed)
    validation = array_batches(split.valid, 1024)
    return split, train, validation


def test_noisy_digits_is_the_lecture_split():
    split = noisy_digits()
    assert split.train.x.shape == (763, 64) and split.valid.x.shape == (764, 64) and split.test.x.shape == (270, 64)
    # the scaler is fitted on the whole training part, validation included (as the lecture did)
    np.testing.assert_allclose(np.concatenate([split.train.x, split.valid.x]).mean(0), 0, atol=1e-5)
    assert sorted(np.unique(split.train.y)) == list(range(10))
    whole = noisy_digits(validation_split=0)
    assert len(whole.valid.x) == 0
    np.testing.assert_array_equal(whole.train.x, np.concatenate([split.train.x, split.valid.x]))


@pytest.fixture(scope="module")
def lecture_curves():
    keras.utils.set_random_seed(42)
    _, train, validation = lecture_data()
    models = {rate: dropout_mlp(64, (1024, 10, 10), 10, rate=rate) for rate in (0.0, 0.2, 0.8)}
    return train_side_by_side(models, train, validation, epochs=150, rows=len(noisy_digits().train.x))


def train_side_by_side(models, train, validation, epochs, rows, batch_size=128):
    """What `recipes/dropout_curves.py` does: one model, `compile`, `fit`; each member's two curves."""
    model = side_by_side_model(models)
    model.compile(keras.optimizers.SGD(0.1), SideBySideCrossEntropy(), metrics=member_cross_entropies(models))
    history = model.fit(train, steps_per_epoch=batches_per_epoch(rows, batch_size), validation_data=validation,
                        epochs=epochs, shuffle=False, verbose=0).history
    return {label: {"loss": history[f"cross_entropy[{label}]"], "val_loss": history[f"val_cross_entropy[{label}]"]}
            for label in models}


def test_no_dropout_overfits_the_noise(lecture_curves):
    train, validation = np.array(lecture_curves[0.0]["loss"]), np.array(lecture_curves[0.0]["val_loss"])
    assert train[-1] < 0.1  # the training loss goes to ~0
    assert validation.argmin() < 60  # the validation loss bottoms out early ...
    assert validation[-1] > validation.min() + 0.3  # ... then rises
    assert validation[-1] - train[-1] > 1.0


def test_a_bit_of_dropout_generalises_better(lecture_curves):
    none, some = lecture_curves[0.0], lecture_curves[0.2]
    assert min(some["val_loss"]) < min(none["val_loss"])
    gap = lambda curve: curve["val_loss"][-1] - curve["loss"][-1]  # noqa: E731
    assert gap(some) < gap(none) / 2


def test_too_much_dropout_underfits(lecture_curves):
    too_much = lecture_curves[0.8]
    assert too_much["loss"][-1] > 1.8 and too_much["val_loss"][-1] > 1.8


def test_l2_penalty_reaches_the_gradients():
    """A penalised model's weights shrink relative to an unpenalised twin on the same batches."""
    x = np.random.default_rng(0).standard_normal((64, 4)).astype("float32")
    y = np.zeros(64, "int32")
    keras.utils.set_random_seed(3)
    plain = dropout_mlp(4, (8,), 2, rate=0.0)
    penalised = dropout_mlp(4, (8,), 2, rate=0.0, l2=1.0)
    penalised.set_weights(plain.get_weights())
    train_side_by_side({"plain": plain, "penalised": penalised}, array_batches((x, y), 32, shuffle_seed=0),
                       array_batches((x, y), 32), epochs=3, rows=64, batch_size=32)
    norm = lambda model: sum(float(np.sum(layer.kernel.numpy() ** 2)) for layer in model.layers[::2])  # noqa: E731
    assert norm(penalised) < 0.5 * norm(plain)


def test_one_side_by_side_fit_trains_each_member_as_its_own_fit():
    """Without dropout, each member ends with the weights and curves of its own `compile` + `fit`."""
    x = np.random.default_rng(0).standard_normal((300, 8)).astype("float32")
    y = np.random.default_rng(1).integers(0, 3, 300).astype("int32")
    keras.utils.set_random_seed(5)
    members = {"wide": dropout_mlp(8, (16,), 3, rate=0.0), "deep": dropout_mlp(8, (8, 8), 3, rate=0.0),
               "penalised": dropout_mlp(8, (16,), 3, rate=0.0, l2=1e-2)}
    references = {}
    for label, member in members.items():
        references[label] = keras.models.clone_model(member)
        references[label].set_weights(member.get_weights())
    curves = train_side_by_side(members, array_batches((x[:200], y[:200]), 64, shuffle_seed=3), array_batches((x[200:], y[200:]), 64),
                                epochs=4, rows=200, batch_size=64)
    for label, reference in references.items():
        reference.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                          metrics=[keras.metrics.SparseCategoricalCrossentropy(name="cross_entropy")])
        history = reference.fit(array_batches((x[:200], y[:200]), 64, shuffle_seed=3), steps_per_epoch=4,
                                validation_data=array_batches((x[200:], y[200:]), 64), epochs=4, shuffle=False,
                                verbose=0).history
        # the curves leave the L2 penalty out, as the member's own cross-entropy metric does
        np.testing.assert_allclose(curves[label]["loss"], history["cross_entropy"], rtol=1e-4, err_msg=label)
        np.testing.assert_allclose(curves[label]["val_loss"], history["val_cross_entropy"], rtol=1e-4, err_msg=label)
        for ours, theirs in zip(members[label].get_weights(), reference.get_weights()):
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5, err_msg=label)


def test_side_by_side_cross_entropy_is_the_sum_of_the_members_in_float64():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((5, 3, 4))
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.integers(0, 4, 5)
    expected = -np.log(probabilities[np.arange(5)[:, None], np.arange(3)[None], labels[:, None]]).sum(1).mean()
    np.testing.assert_allclose(float(SideBySideCrossEntropy()(labels, probabilities.astype("float32"))), expected,
                               rtol=1e-5)


def test_side_by_side_model_refuses_no_models_or_other_shapes():
    with pytest.raises(ValueError, match="got no models"):
        side_by_side_model({})
    with pytest.raises(ValueError, match="same shapes"):
        side_by_side_model({"a": dropout_mlp(8, (4,), 3), "b": dropout_mlp(6, (4,), 3)})
    with pytest.raises(ValueError, match="same shapes"):
        side_by_side_model({"a": dropout_mlp(8, (4,), 3), "b": dropout_mlp(8, (4,), 2)})


@hypothesis.given(share=st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=3)))
@hypothesis.settings(max_examples=40, deadline=None)
def test_noisy_digits_refuses_a_share_outside_its_range(share):
    hypothesis.assume(isinstance(share, bool) or not isinstance(share, float) or not 0 <= share < 1)
    with pytest.raises(ValueError, match=r"`validation_split` must be a share in \[0, 1\), got"):
        noisy_digits(validation_split=share)
    with pytest.raises(ValueError, match=r"`test_size` must be a share in \(0, 1\), got"):
        noisy_digits(test_size=0.0 if not isinstance(share, float) else share)
