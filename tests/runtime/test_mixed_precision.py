"""Under a mixed-precision policy the outputs that feed a loss stay float32, and training stays finite."""

import keras
import numpy as np
import pytest

from keras_workshop.dropout import (
    SideBySideCrossEntropy,
    dropout_mlp,
    member_cross_entropies,
    noisy_digits,
    side_by_side_model,
)
from keras_workshop import runtime
from keras_workshop.recommenders import hybrid_rating_model, slide_rating_model
from keras_workshop.word2vec import skipgram_model


@pytest.fixture
def mixed():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # what --mixed-precision sets on the CPU
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_outputs_stay_float32(mixed):
    slide = slide_rating_model(20, 3, dim=4, hidden=8)
    ids = np.array([[1, 2, 3], [4, 5, 6]], dtype="int32")
    cases = [
        (dropout_mlp(64, (16,), 10), np.zeros((2, 64), "float32")),
        (slide, ids),
        (hybrid_rating_model(slide, factors=4), ids),
        (skipgram_model(50, 8, 5, 4), {"target": np.zeros((2, 4), "int32"), "context": np.zeros((2, 4), "int32"),
                                       "negatives": np.zeros((2, 5), "int32")}),
    ]
    for model, inputs in cases:
        assert any(layer.compute_dtype == "bfloat16" for layer in model.layers), model.name  # mixed inside
        assert keras.ops.convert_to_numpy(model(inputs)).dtype == np.float32, model.name
        assert all(weight.dtype == "float32" for weight in model.trainable_weights), model.name


def test_side_by_side_trains_mixed_models_with_fit(mixed):
    split = noisy_digits(noisy_labels=0, seed=0, validation_split=0)
    models = {f"p={p}": dropout_mlp(64, (32,), 10, rate=p, name=f"mlp_{p}") for p in (0.0, 0.5)}
    model = side_by_side_model(models)
    model.compile(keras.optimizers.SGD(0.1), SideBySideCrossEntropy(), metrics=member_cross_entropies(models))
    history = model.fit(runtime.array_batches(split.train, 128, shuffle_seed=0), epochs=3,
                        steps_per_epoch=runtime.batches_per_epoch(len(split.train.x), 128), shuffle=False,
                        validation_data=runtime.array_batches(split.test, 512), verbose=0).history
    for label in models:
        train, validation = history[f"cross_entropy[{label}]"], history[f"val_cross_entropy[{label}]"]
        assert len(train) == len(validation) == 3
        assert np.all(np.isfinite(train)) and validation[-1] < validation[0]
