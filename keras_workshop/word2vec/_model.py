"""The skip-gram model around the slide's Embedding, and word2vec's training schedule."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import tree

from keras_workshop._checks import check_positive_int
from keras_workshop import slides
from keras_workshop.runtime import Model


@keras.saving.register_keras_serializable(package="keras_workshop")
class SkipGram(Model):
    """A functional Keras model whose training step suits skip-gram on XLA:CPU.

    Two changes to `keras.Model`, neither changing what is computed:

    - With `split_batch` on, `call` in training runs the graph on each half
      of the batch and concatenates the logits: the halves' gathers and
      products are independent, and XLA:CPU runs independent work on two
      cores at once. It is a tuning for training on the CPU, off by default,
      never used in inference and not saved with the model: `compile_skipgram`
      turns it on for one CPU device.
    - `train_step` also takes a stack of batches (see `skipgram_dataset`'s
      `batches_per_step`) and applies them one after another, each as a normal
      Keras step (loss, gradients, `optimizer.apply_gradients`), inside one
      compiled loop: one launch for several updates.

    Build one with `skipgram_model`.
    """

    split_batch = False

    def call(self, inputs, training=None, mask=None):
        size = keras.ops.shape(tree.flatten(inputs)[0])[0]
        if not (self.split_batch and training) or size is None:  # size None: symbolic inputs
            return super().call(inputs, training=training, mask=mask)
        half = size // 2
        halves = [tree.map_structure(lambda x: x[:half], inputs), tree.map_structure(lambda x: x[half:], inputs)]
        graph = super().call
        return keras.ops.concatenate([graph(part, training=training, mask=mask) for part in halves], 0)

    def train_step(self, data):
        _, labels = data
        if len(labels.shape) == len(self.output.shape):  # one batch
            return super().train_step(data)
        one_batch = super().train_step

        def update(index, state):
            one_batch(tree.map_structure(lambda x: x[index], data))
            return state

        keras.ops.fori_loop(0, keras.ops.shape(labels)[0], update, 0)
        return self.get_metrics_result()


def skipgram_model(vocabulary_size: int, dim: int, negatives: int, group_size: int = 32) -> SkipGram:
    """Skip-gram with negative sampling around the slide's `Embedding(output_dim=d, input_dim=n, input_length=1)`.

    The word vectors are the slide's layer (named `"word_vectors"`); context
    vectors are a second table. Inputs come in groups of `group_size` pairs
    that share their noise words (see `skipgram_dataset`); the logits
    `(groups, group_size, 1 + negatives)` are the dot products of each
    target's vector with its true context's vector and with the group's
    noise words' vectors.

    Example:

    >>> model = skipgram_model(vocabulary_size=1000, dim=100, negatives=5, group_size=32)
    >>> model.output.shape
    (None, 32, 6)
    """
    for argument, value in (("vocabulary_size", vocabulary_size), ("dim", dim), ("negatives", negatives),
                            ("group_size", group_size)):
        check_positive_int(value, argument, "skipgram_model")
    target = keras.Input((group_size,), dtype="int32", name="target")
    context = keras.Input((group_size,), dtype="int32", name="context")
    noise = keras.Input((negatives,), dtype="int32", name="negatives")
    # The pipeline only makes valid ids, so the id check is off here to let XLA compile the step.
    word_vectors = slides.Embedding(
        output_dim=dim, input_dim=vocabulary_size, input_length=1, validate_ids=False, name="word_vectors"
    )
    context_vectors = keras.layers.Embedding(
        vocabulary_size, dim, embeddings_initializer="zeros", name="context_vectors"
    )
    targets = word_vectors(target)  # (groups, G, d)
    positive = keras.ops.sum(targets * context_vectors(context), axis=-1, keepdims=True)  # (groups, G, 1)
    negative = keras.layers.Dot(axes=2)([targets, context_vectors(noise)])  # (groups, G, K)
    logits = keras.layers.Concatenate(name="logits", dtype="float32")([positive, negative])  # float32 when mixed
    return SkipGram([target, context, noise], logits)


def compile_skipgram(
    model: SkipGram,
    batch_size: int,
    steps_per_epoch: int,
    epochs: int,
    batches_per_step: int = 1,
    learning_rate: float = 0.05,
    split_batch: bool | None = None,
) -> None:
    """Compiles a skip-gram model the word2vec way, with XLA, one compiled call per epoch.

    Plain SGD, so that embedding gradients stay sparse (only the looked-up
    rows change). word2vec's rate is per (pair, word) term and decays linearly
    to 0.0001 over the run; Keras' loss is the mean over a batch's terms, so
    the rate here is `learning_rate` times the terms per batch, decaying over
    `epochs * steps_per_epoch * batches_per_step` updates. `steps_per_execution`
    is `steps_per_epoch`: no Python round trips within an epoch, and an epoch
    is exactly `steps_per_epoch` steps (Keras runs whole executions, so with a
    `steps_per_execution` that does not divide it an epoch runs over). Under
    a strategy of several replicas, one step per call and no XLA.

    Args:
        model: from `skipgram_model`.
        batch_size: pairs per batch (per update).
        steps_per_epoch: Keras steps per epoch, as `skipgram_dataset` returns it.
        epochs: epochs in the run.
        batches_per_step: batches per step, as given to `skipgram_dataset`.
        learning_rate: gensim's `alpha`.
        split_batch: train on each half of a batch at once (`SkipGram`); by
            default, on one CPU device (no GPU, no strategy), where it keeps
            two cores busy.

    Example:

    >>> model = skipgram_model(vocabulary_size=1000, dim=100, negatives=5)
    >>> compile_skipgram(model, batch_size=2048, steps_per_epoch=120, epochs=10, batches_per_step=8)
    """
    if min(batch_size, steps_per_epoch, epochs, batches_per_step) < 1 or learning_rate <= 0:
        raise ValueError(
            "compile_skipgram: batch_size, steps_per_epoch, epochs and batches_per_step must be >= 1 and "
            f"learning_rate > 0, got {batch_size}, {steps_per_epoch}, {epochs}, {batches_per_step}, {learning_rate}."
        )
    one_replica = tf.distribute.get_strategy().num_replicas_in_sync == 1
    if split_batch is None:
        split_batch = not tf.config.list_logical_devices("GPU") and not tf.distribute.has_strategy()
    model.split_batch = bool(split_batch)
    terms = batch_size * model.output.shape[-1]  # (1 + negatives) logits per pair
    updates = epochs * steps_per_epoch * batches_per_step
    schedule = keras.optimizers.schedules.PolynomialDecay(learning_rate * terms, updates, 0.0001 * terms)
    model.compile(
        keras.optimizers.SGD(schedule),
        keras.losses.BinaryCrossentropy(from_logits=True),
        # Several replicas: neither XLA (it cannot compile a step that spans devices: "Trying to access
        # resource ... located in device CPU:1 from device CPU:0") nor several steps per call (Keras 3.15's
        # multi-step loop fails under MirroredStrategy: "You must feed a value for placeholder tensor").
        jit_compile=one_replica,
        steps_per_execution=steps_per_epoch if one_replica else 1,
    )
