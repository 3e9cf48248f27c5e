"""Several classifiers trained side by side as one Keras model: one `fit`, one curve per member."""

from __future__ import annotations

from typing import Mapping

import keras
from keras import ops

from keras_workshop.runtime import Model


def side_by_side_model(models: Mapping[str, keras.Model], name: str = "side_by_side") -> Model:
    """One model that runs each of `models` on the same input: outputs `(batch, members, classes)`.

    The members share no weights, so training the sum of their losses
    (`SideBySideCrossEntropy`) with plain SGD updates each member as its own
    `fit` would, on the same batches, with one `fit` for all of them. Each
    member stays a model of its own, to evaluate or export after training.

    Example:

    >>> from keras_workshop.dropout import dropout_mlp
    >>> members = {f"p={rate}": dropout_mlp(64, (32,), 10, rate=rate) for rate in (0.0, 0.5)}
    >>> side_by_side_model(members).output.shape
    (None, 2, 10)
    """
    if not models:
        raise ValueError("side_by_side_model: got no models.")
    shapes = {label: tuple(model.input_shape[1:]) for label, model in models.items()}
    outputs = {label: tuple(model.output_shape[1:]) for label, model in models.items()}
    if len(set(shapes.values())) != 1 or len(set(outputs.values())) != 1:
        raise ValueError(f"side_by_side_model: the models must take and give the same shapes, got inputs {shapes} "
                         f"and outputs {outputs}.")
    features = keras.Input(next(iter(shapes.values())), name="features")
    members = [model(features) for model in models.values()]
    stacked = keras.layers.Lambda(lambda tensors: ops.stack(tensors, axis=1), name="members")(members)
    return Model(features, stacked, name=name)


@keras.saving.register_keras_serializable(package="keras_workshop")
class SideBySideCrossEntropy(keras.losses.Loss):
    """The sum over members of each member's sparse categorical cross-entropy.

    `y_true`: integer labels `(batch,)`, the same for every member; `y_pred`:
    probabilities `(batch, members, classes)`, as `side_by_side_model` gives.

    Example:

    >>> import numpy as np
    >>> loss = SideBySideCrossEntropy()
    >>> float(loss(np.array([0]), np.array([[[0.5, 0.5], [1.0, 0.0]]])))  # ln 2 + 0
    0.6931...
    """

    def __init__(self, name: str = "side_by_side_cross_entropy", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return ops.sum(_member_losses(y_true, y_pred), axis=-1)


def member_cross_entropies(labels) -> list[keras.metrics.Metric]:
    """One metric per member, `cross_entropy[<label>]`: its cross-entropy alone, without penalties.

    Keras reports them for training (dropout active, before each step) and,
    with `val_`, for the validation data: each member's two learning curves.
    """
    return [
        keras.metrics.MeanMetricWrapper(_member(index), name=f"cross_entropy[{label}]")
        for index, label in enumerate(labels)
    ]


def _member(index: int):
    def cross_entropy(y_true, y_pred):
        return _member_losses(y_true, y_pred)[:, index]

    return cross_entropy


def _member_losses(y_true, y_pred):
    labels = ops.cast(ops.reshape(y_true, (-1, 1)), "int32")
    labels = ops.repeat(labels, ops.shape(y_pred)[1], axis=1)
    return keras.losses.sparse_categorical_crossentropy(labels, y_pred)
