"""A functional model fed ids, checked as given before Keras casts them."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops, tree

from keras_workshop._checks import assert_ids_in_range
from keras_workshop.runtime import Model


@keras.saving.register_keras_serializable(package="keras_workshop")
class IdsModel(Model):
    """`keras.Model(inputs, outputs)` whose every input is ids, checked before Keras casts them.

    Keras casts a functional model's inputs to the dtype of its `keras.Input`
    before any layer runs: id 1.5 becomes row 1, and 2**32 + 3 (int64) row 3,
    in silence. This model first checks every input as given: whole numbers
    in `[0, n)`, where `n` is the smallest `input_dim` of its Embedding layers
    (the ids index every table). Like `keras_workshop.Embedding`'s check,
    eagerly a bad id raises `InvalidArgumentError` at once, and in a graph the
    check is an assertion (`predict`, `fit`, tf.data, exports), so the model
    is compiled without XLA (which drops assertions).

    Example:

    >>> ids = keras.Input((2,), dtype="int32")
    >>> model = IdsModel(ids, keras.layers.Embedding(10, 3)(ids))
    >>> model(np.array([[1, 9]])).shape
    TensorShape([1, 2, 3])
    >>> model(np.array([[1.5, 2.0]]))
    Traceback (most recent call last):
    ...
    tensorflow.python.framework.errors_impl.InvalidArgumentError: ... id 1.5 is out of range: expected ids in [0, 10) (whole numbers)...
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.autocast = False  # a cast to float32 (or bfloat16) would round the ids before the check
        self.supports_jit = False

    @property
    def num_ids(self) -> int:
        """The number of valid ids: the smallest `input_dim` of the model's Embedding layers."""
        sizes = [layer.input_dim for layer in self._flatten_layers() if isinstance(layer, keras.layers.Embedding)]
        if not sizes:
            raise ValueError(f"IdsModel '{self.name}': no Embedding layer, so no range of ids to check.")
        return min(sizes)

    def call(self, inputs, training=None, mask=None):
        count = self.num_ids
        inputs = tree.map_structure(
            lambda x: assert_ids_in_range(x, count, f"model '{self.name}'")
            if ops.is_tensor(x) or isinstance(x, np.ndarray) else x,
            inputs,
        )
        return super().call(inputs, training=training, mask=mask)
