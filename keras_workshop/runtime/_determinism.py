"""One call for reproducible runs: the same seed on CPU gives the same numbers."""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_workshop._checks import check_non_negative_int


def set_deterministic(seed: int, op_determinism: bool = True) -> None:
    """Seeds Python, NumPy and the backend, and makes TensorFlow's ops deterministic.

    Keras does not compile with XLA while op determinism is on; pass
    `op_determinism=False` for XLA-compiled training (XLA on CPU is itself
    repeatable; the recipes that use it test that two runs agree).

    Example:

    >>> set_deterministic(42)
    """
    check_non_negative_int(seed, "seed", "set_deterministic")
    keras.utils.set_random_seed(seed)
    if op_determinism:
        tf.config.experimental.enable_op_determinism()


def seed_generator_states(model: keras.Model) -> list:
    """The state variables of the model's `keras.random.SeedGenerator`s (dropout masks come from these).

    Keras tracks them among a model's non-trainable variables, all named
    `seed_generator_state` (keras/src/random/seed_generator.py); `save_weights`
    leaves them out.
    """
    return [variable for variable in model.non_trainable_variables if variable.name == "seed_generator_state"]
