"""An `Embedding` layer that rejects bad ids in its own graph."""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_workshop._checks import assert_ids_in_range, check_positive_int
from keras_workshop._keras1 import EMBEDDING_NAMES, build_quietly, translate


@keras.saving.register_keras_serializable(package="keras_workshop")
class Embedding(keras.layers.Embedding):
    """`keras.layers.Embedding` with id validation and the Keras 1 spelling.

    Keras 3 silently wraps negative ids (-1 reads the last row) and
    TensorFlow on GPU returns zeros for ids past the table. This layer checks
    every id against `[0, input_dim)` inside its call, so the check also
    runs in traced functions and exported SavedModels, on CPU and GPU; a bad
    id raises `tf.errors.InvalidArgumentError` naming the id and the range.
    XLA would drop that check, so a validating layer reports
    `supports_jit = False` and Keras compiles the model without XLA.

    A drop-in for Keras' layer: ragged and sparse ids (checked through their
    values), `mask_zero`, `enable_lora`, `quantize("int8" | "int4")` (the
    check stays in the quantized call), constraints, `weights=` and saving.

    Args:
        input_dim: vocabulary size `n`; valid ids are `0 .. n - 1`.
        output_dim: embedding size `d`.
        input_length: Keras 1 argument: the number of ids per example. When
            given, it sets the model's input shape to `(input_length,)`, as in
            Keras 1 (Keras 3 ignores it with a deprecation warning).
        validate_ids: check ids in the graph (default). Pass `False` to
            allow XLA where the ids are known to be valid.
        **kwargs: any `keras.layers.Embedding` argument, or the Keras 1
            names `init`, `W_regularizer`, `W_constraint`.

    Example:

    >>> layer = Embedding(output_dim=4, input_dim=10, input_length=1)
    >>> layer(np.array([[3]])).shape
    TensorShape([1, 1, 4])
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        input_length: int | None = None,
        validate_ids: bool = True,
        **kwargs,
    ):
        input_dim = check_positive_int(input_dim, "input_dim", "Embedding")
        output_dim = check_positive_int(output_dim, "output_dim", "Embedding")
        kwargs = translate(kwargs, EMBEDDING_NAMES, "Embedding")
        if input_length is not None:
            if kwargs.get("input_shape") is not None:
                raise ValueError(
                    "Embedding: got both `input_length` and `input_shape`; pass only one."
                )
            kwargs["input_shape"] = (input_length,)
        build_quietly(super().__init__, input_dim, output_dim, **kwargs)
        self.input_length = input_length
        self.validate_ids = validate_ids
        self.supports_jit = not validate_ids

    def call(self, inputs):
        return super().call(self._checked(inputs))

    def quantize(self, mode=None, type_check=True, config=None):
        # Keras refuses to quantize subclasses of its layer, whose `call` might differ; this class only checks
        # the ids before Keras' own lookup (`quantized_call` below keeps that check), so it is quantized as
        # Keras' layer is, and its own subclasses are refused the same way unless `type_check=False`.
        if type_check and type(self) is not Embedding:
            raise NotImplementedError(
                f"Layer {type(self).__name__} does not have a `quantize` method implemented: a subclass's `call` "
                "may differ from Embedding's. Pass type_check=False to quantize it as an Embedding."
            )
        super().quantize(mode, type_check=False, config=config)

    def quantized_call(self, inputs, *args, **kwargs):
        return super().quantized_call(self._checked(inputs), *args, **kwargs)

    def _checked(self, inputs):
        """`inputs` with the in-graph id check; ragged and sparse ids are checked through their values."""
        if not self.validate_ids:
            return inputs
        name = f"Embedding '{self.name}'"
        if isinstance(inputs, tf.RaggedTensor):
            return inputs.with_flat_values(assert_ids_in_range(inputs.flat_values, self.input_dim, name))
        if isinstance(inputs, tf.SparseTensor):
            values = assert_ids_in_range(inputs.values, self.input_dim, name)
            return tf.SparseTensor(inputs.indices, values, inputs.dense_shape)
        return assert_ids_in_range(inputs, self.input_dim, name)

    def get_config(self):
        config = super().get_config()
        config.update(input_length=self.input_length, validate_ids=self.validate_ids)
        return config
