"""Keras models whose `fit` is right under every `tf.distribute` strategy in Keras 3.15.

Keras' TensorFlow trainer has three defects there:

- Under `MultiWorkerMirroredStrategy` it fails in two places
  (keras-team/keras#20585 and #20329, open): `_maybe_symbolic_build` hands a
  batch of `PerReplica` values to `strategy.reduce` ("Attempt to convert a
  value (PerReplica ...) to a Tensor"), and `reduce_per_replica` reduces each
  scalar metric with `axis=0` ("Invalid reduction dimension 0 for input with
  0 dimensions").
- Under any strategy, `_maybe_symbolic_build` draws a batch from a fresh
  iterator over the training data before the first epoch: a dataset that
  reshuffles every iteration then starts at its second order, so the same
  seed gives other numbers than without a strategy.

`DistributedTrainer` fixes all three in one place: the model is built from
the dataset's element spec (no batch is drawn), and in multi-worker mode the
step's metrics get a leading axis of one, so the all-reduce averages them
over every replica. `Model` and `Sequential` are Keras' with it; every model
this package builds is one of them.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import tree


class WorkerLostError(RuntimeError):
    """A peer of a multi-worker cluster stopped during training."""


def in_multi_worker_mode(strategy: tf.distribute.Strategy) -> bool:
    """Whether `strategy` is a `MultiWorkerMirroredStrategy` over more than one worker.

    Example:

    >>> in_multi_worker_mode(tf.distribute.get_strategy())
    False
    """
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    return len(strategy.cluster_resolver.cluster_spec().as_dict().get("worker", [])) > 1


class DistributedTrainer:
    """The trainer fixes, first in the MRO of a `keras.Model` subclass (see the module's docstring).

    Also, a worker that dies mid-training (TensorFlow's `UnavailableError` on
    the survivors) becomes a `WorkerLostError` saying what happened and what
    to do, and an endless dataset without `steps_per_epoch` is a `ValueError`
    (Keras 3.15 would train its first epoch for ever). Without a strategy
    nothing else changes.
    """

    def fit(self, x=None, *args, **kwargs):
        if (isinstance(x, tf.data.Dataset) and kwargs.get("steps_per_epoch") is None
                and int(x.cardinality()) == int(tf.data.INFINITE_CARDINALITY)):
            raise ValueError(
                "fit: this dataset never ends (epoch after epoch, as a shuffled `array_batches` streams them); "
                "expected steps_per_epoch=... as well, e.g. runtime.batches_per_epoch(rows, batch_size)."
            )
        try:
            return super().fit(x, *args, **kwargs)
        except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError) as error:
            raise WorkerLostError(
                "Another worker of the cluster stopped (or cannot be reached) during training, so this one "
                "cannot go on: every step needs every worker. Restart every worker with the same command. "
                f"TensorFlow: {type(error).__name__}: {_cause(error.message or '')}"
            ) from error

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if iterator is not None and self._distribute_strategy is not None:
            # The shapes and dtypes of a batch, without drawing one (nor reducing PerReplica values).
            data_batch = iterator.data_adapter.get_tf_dataset().element_spec
        return super()._maybe_symbolic_build(iterator=None if data_batch is not None else iterator,
                                             data_batch=data_batch)

    def train_step(self, data):
        return self._with_replica_axis(super().train_step(data))

    def test_step(self, data):
        return self._with_replica_axis(super().test_step(data))

    def _with_replica_axis(self, metrics):
        if not in_multi_worker_mode(self.distribute_strategy):
            return metrics
        return tree.map_structure(lambda value: tf.expand_dims(value, 0), metrics)


@keras.saving.register_keras_serializable(package="keras_workshop.runtime")
class Model(DistributedTrainer, keras.Model):
    """`keras.Model` (functional or subclassed) with `DistributedTrainer`'s fixes.

    Example:

    >>> inputs = keras.Input((2,), name="features")
    >>> model = Model(inputs, keras.layers.Dense(1)(inputs))
    >>> model.compile("sgd", "mse")
    >>> len(model.fit(tf.ones((4, 2)), tf.ones((4, 1)), epochs=2, verbose=0).history["loss"])
    2
    """


@keras.saving.register_keras_serializable(package="keras_workshop.runtime")
class Sequential(DistributedTrainer, keras.Sequential):
    """`keras.Sequential` with `DistributedTrainer`'s fixes.

    Example:

    >>> model = Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.output_shape
    (None, 1)
    """


def _cause(message: str) -> str:
    """The line of a TensorFlow error message that says what went wrong (not where)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if "aborted" in line or "peer" in line or "unavailable" in line.lower():
            return line
    return lines[0] if lines else "(no message)"
