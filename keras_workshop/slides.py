"""The slides' Keras 1 spelling, building ordinary Keras 3 models.

The workshop slides write Keras 1 code. Every name here accepts that
spelling and returns (or is) a standard Keras 3 layer or model, so the
result fits, saves and exports like any other:

    from keras_workshop.slides import Sequential, Embedding, Dense, Dropout

    model = Sequential()
    model.add(Dense(hidden_size, input_shape, activation='relu'))
    model.add(Dropout(p=0.5))
    model.add(Dense(output_size, activation='softmax'))

Spellings translated: `Dropout(p=...)` (the probability of dropping);
`Dense(units, input_shape, ...)` with the input shape as second positional
argument, `output_dim`, `input_dim`, `init`, `W_regularizer`, `bias`;
`Embedding(output_dim=d, input_dim=n, input_length=1)`, where
`input_length` sets the model's input shape. No deprecation warnings are
shown for any of them.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_workshop import runtime
from keras_workshop._checks import assert_ids_in_range
from keras_workshop._keras1 import DENSE_NAMES, DROPOUT_NAMES, build_quietly, translate
from keras_workshop.embeddings import Embedding

__all__ = ["Activation", "Dense", "Dropout", "Embedding", "Flatten", "Sequential"]


@keras.saving.register_keras_serializable(package="keras_workshop")
class Sequential(runtime.Sequential):
    """`keras.Sequential` that reads the input shape from the first layer, as Keras 1 did.

    It trains under every `tf.distribute` strategy (`runtime.Sequential`).

    When the first layer was given `input_shape` (or `input_length` for an
    `Embedding`), the model starts with a named `keras.Input`: `"ids"` (int32)
    before an Embedding, `"features"` otherwise, so exported signatures have
    stable input names.

    Example:

    >>> model = Sequential()
    >>> model.add(Embedding(output_dim=4, input_dim=10, input_length=1))
    >>> model.output_shape
    (None, 1, 4)
    """

    def add(self, layer, rebuild=True):
        input_shape = getattr(layer, "_input_shape_arg", None)
        if not self._layers and input_shape is not None:
            if isinstance(layer, keras.layers.Embedding):
                first = keras.layers.InputLayer(shape=input_shape, dtype="int32", name="ids")
            else:
                first = keras.layers.InputLayer(shape=input_shape, name="features")
            super().add(first, rebuild=False)
        super().add(layer, rebuild=rebuild)
        if self._validating_embedding() is not None:
            self.autocast = False  # Keras' autocast would cast float ids to int32 before `call` checks them

    def call(self, inputs, training=None, mask=None):
        # Keras casts a model's inputs to its input dtype (int32) before any layer runs, which reads
        # id 1.5 as 1 and 2**32 + 3 as 3: a validating first Embedding checks the ids as given first
        # (`add` turns off the autocast of float inputs that would truncate them).
        first = self._validating_embedding()
        if first is not None and ops.is_tensor(inputs):
            inputs = assert_ids_in_range(inputs, first.input_dim, f"Embedding '{first.name}'")
        return super().call(inputs, training=training, mask=mask)

    def _validating_embedding(self) -> Embedding | None:
        """The first layer, when it is an Embedding that checks its ids."""
        first = self.layers[0] if self.layers else None
        return first if isinstance(first, Embedding) and first.validate_ids else None


def Dense(units: int | None = None, input_shape=None, activation=None, **kwargs):
    """`keras.layers.Dense`, also spelled `Dense(units, input_shape, activation=...)`.

    Example:

    >>> Dense(32, (784,), activation='relu').units
    32
    """
    if units is not None:
        kwargs["units"] = units
    if input_shape is not None:
        kwargs["input_shape"] = input_shape
    kwargs = translate(kwargs, DENSE_NAMES, "Dense")
    if kwargs.get("units") is None:
        raise ValueError("Dense: the number of units is required (`units` or `output_dim`).")
    return build_quietly(keras.layers.Dense, activation=activation, **kwargs)


def Dropout(p: float | None = None, **kwargs):
    """`keras.layers.Dropout`, also spelled `Dropout(p=...)`.

    Args:
        p: the probability of setting an activation to 0 while training
            (Keras 3 calls it `rate`).

    Example:

    >>> Dropout(p=0.5).rate
    0.5
    """
    if p is not None:
        kwargs["p"] = p
    kwargs = translate(kwargs, DROPOUT_NAMES, "Dropout")
    rate = kwargs.get("rate")
    if rate is None:
        raise ValueError("Dropout: the drop probability is required (`p` or `rate`).")
    if not 0 <= rate < 1:
        raise ValueError(f"Dropout: p must be in [0, 1), got p={rate!r}.")
    return build_quietly(keras.layers.Dropout, **kwargs)


def Flatten(**kwargs):
    """`keras.layers.Flatten`, accepting `input_shape` like Keras 1."""
    return build_quietly(keras.layers.Flatten, **translate(kwargs, {}, "Flatten"))


def Activation(activation, **kwargs):
    """`keras.layers.Activation`, accepting `input_shape` like Keras 1."""
    kwargs = translate(kwargs, {}, "Activation")
    return build_quietly(keras.layers.Activation, activation, **kwargs)
