"""The multinomial likelihood of a bag of movies: Mult-DAE's loss, with the gradient of the loss it computes.

`keras.losses.CategoricalCrossentropy(from_logits=True)` gives the same loss
value on a multi-hot target, but not the same gradient: on TensorFlow it calls
`tf.nn.softmax_cross_entropy_with_logits`, whose fused gradient
`softmax(logits) - labels` assumes each row of labels sums to 1
(tensorflow/tensorflow#2327: "we require a valid probability distribution ...
implementing your own loss in terms of other ops is the right fix"). A bag of
85 movies then gets 1/85 of the push-down every logit should get, and a
Mult-DAE with a hidden layer learns little more than popularity.
`MultinomialLikelihood` is that loss written with `keras.ops.log_softmax`, so
its gradient is the derivative of its value, `sum(bag) · softmax - bag`.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_workshop")
class MultinomialLikelihood(keras.losses.Loss):
    """`-Σ_i bag_i · log softmax(logits)_i` per row: Mult-DAE's loss (Liang et al. 2018).

    `y_true` is the bag (`(batch, items)`: 1 where chosen, or non-negative
    counts or weights), `y_pred` the logits. A row with an empty bag adds 0
    and pulls no logit. The target is not checked in the graph: a negative
    entry rewards pushing that movie's probability down, as the formula says.

    Example:

    >>> import numpy as np
    >>> bag = np.array([[1.0, 1.0, 0.0, 0.0]])
    >>> value = MultinomialLikelihood()(bag, np.zeros((1, 4)))
    >>> round(float(value), 4), round(2 * float(np.log(4)), 4)  # two movies, each at probability 1/4
    (2.7726, 2.7726)
    """

    def __init__(self, name: str = "multinomial_likelihood", reduction: str = "sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        return -ops.sum(y_true * ops.log_softmax(y_pred, axis=-1), axis=-1)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}
