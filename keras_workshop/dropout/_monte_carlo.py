"""The ensemble reading of dropout: Monte-Carlo averages over sampled masks."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_workshop.runtime._determinism import seed_generator_states


def mc_dropout_predict(model: keras.Model, x, samples: int, seed: int | None = None) -> np.ndarray:
    """Averages `samples` predictions, each with fresh dropout masks.

    The ensemble reading of dropout: a network with dropout is a family of
    weight-sharing sub-networks, one per mask. Averaging many of them
    approaches the deterministic test-time network.

    Args:
        model: a Keras model with dropout layers (any layer drawing from a
            `keras.random.SeedGenerator`).
        x: the inputs, as `model(x)` takes them.
        samples: how many masks to average, >= 1.
        seed: fixes the masks: two calls with the same seed give the same
            result. Only the model's own seed generators are used, and their
            state is put back afterwards, so nothing else changes (no global
            seed is set; the next training step draws what it would have).
            `None`: the masks continue from the model's generators.

    Returns:
        The average prediction, as a NumPy array.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    >>> x = np.ones((3, 4), "float32")
    >>> first = mc_dropout_predict(model, x, samples=10, seed=0)
    >>> np.array_equal(first, mc_dropout_predict(model, x, samples=10, seed=0))
    True
    """
    if not isinstance(samples, (int, np.integer)) or isinstance(samples, bool) or samples < 1:
        raise ValueError(f"mc_dropout_predict: samples must be an integer >= 1, got {samples!r}.")
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"mc_dropout_predict: seed must be a non-negative integer or None, got {seed!r}.")
    features = np.asarray(x)
    if features.dtype.kind == "f" and not np.all(np.isfinite(features)):
        raise ValueError("mc_dropout_predict: x holds NaN or inf; expected finite features.")
    states = seed_generator_states(model)
    saved = [state.numpy() for state in states]
    if seed is not None:  # one independent stream per generator, from the seed alone
        streams = np.random.SeedSequence(int(seed)).generate_state(len(states), dtype=np.uint32)
        for state, stream in zip(states, streams):
            state.assign(np.array([stream, 0], dtype=state.dtype))
    try:
        sampled = tf.function(lambda inputs: model(inputs, training=True))
        inputs = ops.convert_to_tensor(x)
        total = sampled(inputs)
        for _ in range(samples - 1):
            total += sampled(inputs)
        return np.asarray(total / samples)
    finally:
        if seed is not None:
            for state, value in zip(states, saved):
                state.assign(value)
