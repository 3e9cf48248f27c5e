"""An `Embedding` layer that rejects bad ids in its own graph."""

from __future__ import annotations

import keras

from keras_workshop import _keras1
from keras_workshop.embeddings import _ids


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
        for argument, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"Embedding: `{argument}` must be a positive integer, got {value!r}."
                )
        kwargs = _keras1.translate(kwargs, _keras1.EMBEDDING_NAMES, "Embedding")
        if input_length is not None:
            if kwargs.get("input_shape") is not None:
                raise ValueError(
                    "Embedding: got both `input_length` and `input_shape`; pass only one."
                )
            kwargs["input_shape"] = (input_length,)
        _keras1.build_quietly(super().__init__, input_dim, output_dim, **kwargs)
        self.input_length = input_length
        self.validate_ids = validate_ids
        self.supports_jit = not validate_ids

    def call(self, inputs):
        if self.validate_ids:
            inputs = _ids.assert_ids_in_range(inputs, self.input_dim, f"Embedding '{self.name}'")
        return super().call(inputs)

    def get_config(self):
        config = super().get_config()
        config.update(input_length=self.input_length, validate_ids=self.validate_ids)
        return config
