"""A blend of recommenders as one Keras layer: each model's scores standardised per user, then a weighted sum."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from keras_workshop._checks import check_finite_number


@keras.saving.register_keras_serializable(package="keras_workshop")
class ScoreBlend(keras.layers.Layer):
    """`Σ_j weights[j] · standardised(scores[j])`, where each row is standardised over the movies.

    Recommenders score on scales of their own (EASE's reconstructions, a
    softmax's logits): each model's row of scores is brought to mean 0 and
    standard deviation 1 over the movies, then weighted. A row whose scores are
    all equal standardises to zeros (it ranks nothing above anything); a NaN or
    inf among a row's scores makes that row's blend NaN, which `topk_metrics`
    and `top_k` refuse (the models blended give finite scores).

    Args:
        weights: one finite, non-negative weight per input, not all 0.

    Example:

    >>> blend = ScoreBlend([1.0, 0.5])
    >>> scores = blend([np.array([[0.0, 1.0, 2.0]]), np.array([[3.0, 1.0, 2.0]])])
    >>> np.round(np.asarray(scores, dtype=np.float64), 3).tolist()
    [[-0.612, -0.612, 1.225]]
    """

    def __init__(self, weights: Sequence[float], **kwargs):
        super().__init__(**kwargs)
        weights = list(weights) if isinstance(weights, (list, tuple, np.ndarray)) else weights
        if not isinstance(weights, list) or not weights:
            raise ValueError(f"ScoreBlend: weights {weights!r}; expected a non-empty list of numbers, one per model.")
        self.blend_weights = [check_finite_number(weight, "weights", "ScoreBlend") for weight in weights]
        if not any(self.blend_weights):
            raise ValueError(f"ScoreBlend: weights {weights} are all 0; expected at least one above 0.")

    def call(self, scores):
        if not isinstance(scores, (list, tuple)) or len(scores) != len(self.blend_weights):
            count = len(scores) if isinstance(scores, (list, tuple)) else 1
            raise ValueError(f"ScoreBlend: {count} score inputs for {len(self.blend_weights)} weights; "
                             "expected one input per weight.")
        total = 0.0
        for weight, each in zip(self.blend_weights, scores):
            each = ops.cast(each, self.compute_dtype)
            centred = each - ops.mean(each, axis=-1, keepdims=True)
            spread = ops.sqrt(ops.mean(ops.square(centred), axis=-1, keepdims=True))
            flat = spread == 0  # all equal: zeros; a NaN spread stays NaN, never a quiet row of zeros
            total = total + weight * ops.where(flat, 0.0, centred / ops.where(flat, 1.0, spread))
        return total

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self) -> dict:
        return super().get_config() | {"weights": self.blend_weights}


def score_blend_model(models: Sequence[keras.Model], weights: Sequence[float], name: str = "blend") -> keras.Model:
    """One model from several that read the same bag of movies: `ScoreBlend(weights)` of their outputs.

    Example:

    >>> first = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    >>> second = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    >>> score_blend_model([first, second], [1.0, 0.5]).output_shape
    (None, 3)
    """
    if not models or len(models) != len(weights):
        raise ValueError(f"score_blend_model: {len(models)} models and {len(weights)} weights; expected one weight "
                         "per model, at least one model.")
    bag = keras.Input(models[0].input_shape[1:], name="liked")
    return keras.Model(bag, ScoreBlend(weights, name="score_blend")([model(bag) for model in models]), name=name)
