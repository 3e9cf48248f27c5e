"""The lecture's three learning curves, against what the slides' figures show."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import as_dataset, dropout_mlp, fit_side_by_side, noisy_digits


def lecture_data(seed=42):
    split = noisy_digits(noisy_labels=200, seed=42)
    half = len(split.x_train) // 2
    train = as_dataset(split.x_train[:half], split.y_train[:half], 128, shuffle_seed=seed)
    validation = as_dataset(split.x_train[half:], split.y_train[half:], 1024)
    return split, train, validation


def test_noisy_digits_is_the_lecture_split():
    split = noisy_digits()
    assert split.x_train.shape == (1527, 64) and split.x_test.shape == (270, 64)
    np.testing.assert_allclose(split.x_train.mean(0), 0, atol=1e-5)
    assert sorted(np.unique(split.y_train)) == list(range(10))


@pytest.fixture(scope="module")
def lecture_curves():
    keras.utils.set_random_seed(42)
    _, train, validation = lecture_data()
    models = {rate: dropout_mlp(64, (1024, 10, 10), 10, dropout_rate=rate) for rate in (0.0, 0.2, 0.8)}
    return fit_side_by_side(models, train, validation, epochs=150, verbose=0)


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


def test_matches_keras_fit_on_one_model():
    """One model trained side by side equals `compile` + `fit` on the same batches."""
    x = np.random.default_rng(0).standard_normal((300, 8)).astype("float32")
    y = np.random.default_rng(1).integers(0, 3, 300).astype("int32")
    train, validation = as_dataset(x[:200], y[:200], 64), as_dataset(x[200:], y[200:], 64)
    keras.utils.set_random_seed(5)
    ours = dropout_mlp(8, (16,), 3, dropout_rate=0.0)
    reference = keras.models.clone_model(ours)
    reference.set_weights(ours.get_weights())
    curves = fit_side_by_side({"ours": ours}, train, validation, epochs=4, verbose=0)["ours"]
    reference.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    history = reference.fit(train, validation_data=validation, epochs=4, shuffle=False, verbose=0).history
    np.testing.assert_allclose(curves["loss"], history["loss"], rtol=1e-4)
    np.testing.assert_allclose(curves["val_loss"], history["val_loss"], rtol=1e-4)


def test_rejects_infinite_datasets():
    data = tf.data.Dataset.from_tensor_slices((np.zeros((4, 2), "float32"), np.zeros(4, "int32"))).batch(2)
    with pytest.raises(ValueError, match="finite with a known number of batches"):
        fit_side_by_side({"m": dropout_mlp(2, (2,), 2)}, data.repeat(), data, epochs=1, verbose=0)


def test_l2_penalty_reaches_the_gradients():
    """A penalised model's weights shrink relative to an unpenalised twin on the same batches."""
    x = np.random.default_rng(0).standard_normal((64, 4)).astype("float32")
    y = np.zeros(64, "int32")
    data = as_dataset(x, y, 32)
    keras.utils.set_random_seed(3)
    plain = dropout_mlp(4, (8,), 2, dropout_rate=0.0)
    penalised = dropout_mlp(4, (8,), 2, dropout_rate=0.0, l2=1.0)
    penalised.set_weights(plain.get_weights())
    fit_side_by_side({"plain": plain, "penalised": penalised}, data, data, epochs=3, verbose=0)
    norm = lambda model: sum(float(np.sum(layer.kernel.numpy() ** 2)) for layer in model.layers[::2])  # noqa: E731
    assert norm(penalised) < 0.5 * norm(plain)
