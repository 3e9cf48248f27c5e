"""Keras 3.15's `fit` under `tf.distribute` strategies, made right, for one model at a time.

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

`fit` below swaps the model's class, for the duration of one call, for a
subclass that builds the model from the dataset's element spec (no batch is
drawn) and, in multi-worker mode, gives the step's metrics a leading axis of
one, so the all-reduce averages them over every replica. Nothing changes for
any other model or call.
"""

from __future__ import annotations

import contextlib
import functools

import keras
import tensorflow as tf
from keras import tree

from keras_workshop.runtime._batches import counts_epochs, start_at_epoch
from keras_workshop.runtime._resume import EpochBackup, next_backup_folder


class WorkerLostError(RuntimeError):
    """A peer of a multi-worker cluster stopped during training."""


class _MultiWorkerFix:
    """The two overrides; first in the MRO of the model's own class."""

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


@functools.cache
def _fixed_class(cls: type) -> type:
    # Same name and module as the model's class, so anything saved during `fit` names the original.
    return type(cls.__name__, (_MultiWorkerFix, cls), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})


def in_multi_worker_mode(strategy: tf.distribute.Strategy) -> bool:
    """Whether `strategy` is a `MultiWorkerMirroredStrategy` over more than one worker."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()


@contextlib.contextmanager
def _fixed_trainer(model: keras.Model):
    original = model.__class__
    model.__class__ = _fixed_class(original)
    try:
        yield
    finally:
        model.__class__ = original


def fit(model: keras.Model, *args, **kwargs) -> keras.callbacks.History:
    """`model.fit(*args, **kwargs)`, on one device, several, or several machines.

    The same as `model.fit` without a strategy. Under one, Keras 3.15's
    defects (see the module's docstring) are worked around for this call
    only: the same seed gives the same batches as without a strategy, and
    `MultiWorkerMirroredStrategy` works. A worker
    that dies mid-training (TensorFlow's `UnavailableError` on the survivors)
    becomes a `WorkerLostError` saying what happened and what to do.

    A training dataset that counts its epochs (`array_batches`,
    `skipgram_dataset`) starts at the order of epoch `initial_epoch` (0 by
    default), whatever passes were made over it before.

    After `resume_training(folder)` (a recipe's `--resume`), each call backs
    up every epoch in the next folder of the run (`EpochBackup`) and resumes
    from it: the returned `History` then holds every epoch, those trained
    before an interruption included.

    Example:

    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> history = fit(model, np.ones((4, 2)), np.ones(4), epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
    """
    dataset = args[0] if args else kwargs.get("x")
    if not counts_epochs(dataset):
        dataset = None
    else:
        start_at_epoch(dataset, kwargs.get("initial_epoch", 0))
    backup_dir = next_backup_folder()
    backup = None
    if backup_dir is not None:
        callbacks = list(kwargs.get("callbacks") or [])
        backup = EpochBackup(backup_dir, dataset, callbacks)
        kwargs["callbacks"] = [*callbacks, backup]
    with _fixed_trainer(model):
        try:
            history = model.fit(*args, **kwargs)
            return history if backup is None else backup.history
        except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError) as error:
            raise WorkerLostError(
                "Another worker of the cluster stopped (or cannot be reached) during training, so this one "
                "cannot go on: every step needs every worker. Restart every worker with the same command. "
                f"TensorFlow: "
                f"{type(error).__name__}: {_cause(error.message or '')}"
            ) from error


def _cause(message: str) -> str:
    """The line of a TensorFlow error message that says what went wrong (not where)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if "aborted" in line or "peer" in line or "unavailable" in line.lower():
            return line
    return lines[0] if lines else "(no message)"
