"""Dropout as the slides state it (no scaling), and its conversion to Keras' inverted form."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_workshop")
class SlideDropout(keras.layers.Layer):
    """Dropout as Srivastava et al. (2014) and the slides state it.

    While training, each activation is set to 0 with probability `p` and the
    kept ones are left unscaled; at test time the layer is the identity, and
    the slides' rule is to multiply the next layer's weights by the keep
    probability `1 - p` instead (`to_inverted_dropout` does that). Keras'
    own `Dropout` is the "inverted" form: it scales kept activations by
    `1 / (1 - p)` while training and leaves the weights alone.

    Args:
        p: probability of dropping an activation, in [0, 1).
        seed: seed for the masks.

    Example:

    >>> layer = SlideDropout(0.5, seed=1)
    >>> sorted(set(np.asarray(layer(np.ones(8), training=True)).tolist()))
    [0.0, 1.0]
    """

    def __init__(self, p: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= p < 1:
            raise ValueError(f"SlideDropout: p must be in [0, 1), got p={p!r}.")
        self.p = float(p)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if not training or self.p == 0:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.p
        return ops.where(keep, inputs, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return super().get_config() | {"p": self.p, "seed": self.seed}


def to_inverted_dropout(model: keras.Model) -> keras.Model:
    """Converts a model trained with `SlideDropout` to Keras' inverted dropout.

    Each `SlideDropout(p)` becomes `keras.layers.Dropout(p)`, and the kernel
    of the `Dense` layer after it is multiplied by the keep probability
    `1 - p`: the slides' test-time rule. The converted model then predicts
    exactly what the slides' network predicts at test time, and trains from
    there like any Keras model (kept activations scaled by `1 / (1 - p)`
    times the scaled weights give the same training-time outputs too).

    Raises:
        ValueError: when a dropout is followed by a layer other than `Dense`
            (its weights cannot absorb the keep probability).
    """

    def swap(layer):
        if isinstance(layer, SlideDropout):
            return keras.layers.Dropout(layer.p, seed=layer.seed, name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    converted = keras.models.clone_model(model, clone_function=swap)
    keep = 1.0
    for source, target in zip(model.layers, converted.layers):
        if isinstance(source, SlideDropout):
            keep *= 1 - source.p
            continue
        weights = source.get_weights()
        if keep != 1.0 and weights:
            if not isinstance(source, keras.layers.Dense):
                raise ValueError(
                    f"to_inverted_dropout: layer '{source.name}' ({type(source).__name__}) "
                    "follows a dropout; only a Dense layer can absorb the keep probability."
                )
            weights[0] = weights[0] * keep
        target.set_weights(weights)
        if weights:
            keep = 1.0
    return converted
