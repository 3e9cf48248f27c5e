"""The ensemble reading of dropout: Monte-Carlo averages over sampled masks."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops, tree

from keras_workshop._checks import check_non_negative_int, check_positive_int
from keras_workshop.dropout._slide_dropout import SlideDropout
from keras_workshop.runtime import seed_generator_states

# The layers whose masks are sampled; Spatial dropout layers subclass `keras.layers.Dropout`.
DROPOUT_LAYERS = (keras.layers.Dropout, keras.layers.GaussianDropout, keras.layers.AlphaDropout, SlideDropout)


def mc_dropout_predict(model: keras.Model, x, samples: int, seed: int | None = None, return_std: bool = False):
    """Averages `samples` predictions, each with fresh dropout masks.

    The ensemble reading of dropout: a network with dropout is a family of
    weight-sharing sub-networks, one per mask. Averaging many of them
    approaches the deterministic test-time network.

    Only the dropout layers (`keras.layers.Dropout` and its spatial forms,
    `GaussianDropout`, `AlphaDropout`, `SlideDropout`) run as in training;
    every other layer runs as at test time, so `BatchNormalization` uses its
    moving statistics and changes none of them, and later `predict` calls
    give what they gave before. Layers with dropout inside (`LSTM(dropout=...)`)
    run at test time. The model's own layers are reused (no copy of the
    weights) in a Sequential or functional view of the model; nested models
    are viewed the same way.

    Args:
        model: a Sequential or functional Keras model (nested models too).
        x: the inputs, as `model(x)` takes them.
        samples: how many masks to average, >= 1.
        seed: fixes the masks: two calls with the same seed give the same
            result. Only the model's own seed generators are used, and their
            state is put back afterwards, so nothing else changes (no global
            seed is set; the next training step draws what it would have).
            `None`: the masks continue from the model's generators.
        return_std: also return the standard deviation over the samples
            (population form, 0 for one sample).

    Returns:
        The average prediction as a float32 NumPy array (a structure of them
        for a model with several outputs), and with `return_std` a pair
        `(mean, std)`. The samples are summed in float64 whatever the model's
        dtype policy, so a `mixed_bfloat16` model's average does not lose
        the precision that summing in bfloat16 would.

    Raises:
        ValueError: `samples` or `seed` out of range, non-finite features, or a
            subclassed model (its layers cannot be rewired).

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    >>> x = np.ones((3, 4), "float32")
    >>> first = mc_dropout_predict(model, x, samples=10, seed=0)
    >>> np.array_equal(first, mc_dropout_predict(model, x, samples=10, seed=0))
    True
    >>> mean, std = mc_dropout_predict(model, x, samples=10, seed=0, return_std=True)
    >>> mean.shape, std.shape, bool(np.all(std >= 0))
    ((3, 2), (3, 2), True)
    """
    check_positive_int(samples, "samples", "mc_dropout_predict")
    if seed is not None:
        check_non_negative_int(seed, "seed", "mc_dropout_predict")
    for features in tree.flatten(x):
        features = np.asarray(features)
        if features.dtype.kind == "f" and not np.all(np.isfinite(features)):
            raise ValueError("mc_dropout_predict: x holds NaN or inf; expected finite features.")
    inputs = tree.map_structure(ops.convert_to_tensor, x)
    if not model.built:
        model(inputs, training=False)  # builds a Sequential given no input shape; inference changes no state
    sampled = tf.function(sampling_view(model))
    states = seed_generator_states(model)
    saved = [state.numpy() for state in states]
    if seed is not None:  # one independent stream per generator, from the seed alone
        streams = np.random.SeedSequence(int(seed)).generate_state(len(states), dtype=np.uint32)
        for state, stream in zip(states, streams):
            state.assign(np.array([stream, 0], dtype=state.dtype))
    try:
        for count in range(1, samples + 1):  # Welford's running mean and sum of squared deviations
            output = sampled(inputs)
            flat = [np.asarray(ops.cast(part, "float32"), dtype=np.float64) for part in tree.flatten(output)]
            if count == 1:
                structure, mean, spread = output, flat, [np.zeros_like(part) for part in flat]
                continue
            for part, average, deviations in zip(flat, mean, spread):
                delta = part - average
                average += delta / count
                deviations += delta * (part - average)
    finally:
        if seed is not None:
            for state, value in zip(states, saved):
                state.assign(value)

    def pack(arrays):
        return tree.pack_sequence_as(structure, [array.astype(np.float32) for array in arrays])

    if not return_std:
        return pack(mean)
    return pack(mean), pack([np.sqrt(deviations / samples) for deviations in spread])


class _Sampled(keras.layers.Layer):
    """Calls a dropout layer as in training, whatever the model around it is called with."""

    def __init__(self, layer: keras.layers.Layer):
        super().__init__(name=f"{layer.name}_sampled", dtype=layer.dtype_policy)
        self.layer = layer

    def call(self, inputs):
        return self.layer(inputs, training=True)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


def sampling_view(model: keras.Model) -> keras.Model:
    """The model with its dropout layers always sampling and every other layer shared as it is.

    A Sequential model gives a model of its own class (so `slides.Sequential`
    keeps checking ids as given); a functional model goes through
    `keras.models.clone_model` with the layers reused.
    """

    def view(layer):
        if isinstance(layer, DROPOUT_LAYERS):
            return _Sampled(layer)
        if isinstance(layer, keras.Model):
            return sampling_view(layer)
        return layer

    if isinstance(model, keras.Sequential):
        first = model.inputs[0]
        return type(model)(
            [keras.Input(batch_shape=first.shape, dtype=first.dtype, name=first.name)] + [view(l) for l in model.layers],
            name=model.name,
        )
    try:
        cloned = keras.models.clone_model(model, clone_function=view)
    except ValueError:
        raise ValueError(
            f"mc_dropout_predict: {type(model).__name__} '{model.name}' is a subclassed model, whose layers "
            "cannot be rewired to sample only dropout; build it as a Sequential or functional model."
        ) from None
    if type(cloned) is not type(model):  # a functional subclass (`IdsModel`) keeps its class and its checks
        cloned = type(model)(cloned.inputs, cloned.outputs, name=model.name)
    return cloned
