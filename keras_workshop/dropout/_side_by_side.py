"""Training several small models side by side, one compiled call per epoch."""

from __future__ import annotations

import contextlib
import os
from typing import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_workshop.runtime._batches import counts_epochs, start_at_epoch
from keras_workshop.runtime._resume import EpochStore, announce, resumable_fit


def fit_side_by_side(
    models: Mapping[str, keras.Model],
    train: tf.data.Dataset,
    validation: tf.data.Dataset,
    epochs: int,
    learning_rate: float = 0.1,
    verbose: int = 1,
    backup_dir: str | None = None,
) -> dict[str, dict[str, list[float]]]:
    """Trains `models` with plain SGD on the same batches and returns their loss curves.

    Equivalent to `model.compile(SGD(learning_rate), "sparse_categorical_crossentropy")`
    and `model.fit(train, validation_data=validation, epochs=epochs)` for each
    model, but every model takes its step on each batch inside one
    `tf.function` call per epoch, so the per-epoch cost of `fit` (iterators,
    callbacks, a separate evaluation call) is paid once for all models instead
    of once per model. For small models that overhead is most of the time.

    The curves are what `fit` records: `"loss"` is the batch-size-weighted mean
    of the training-mode cross-entropy over the epoch (dropout active, before
    each step), and `"val_loss"` the inference-mode cross-entropy on
    `validation` after the epoch. Regularisation losses (`model.losses`, for
    example an L2 penalty) are added to the training objective but not to the
    reported curves, so curves of differently regularised models compare.

    Models built under a distribution strategy (`strategy.scope()`), or under
    a mixed-precision policy, are trained one after another with `compile`
    and `fit` instead (the curves are then the same
    cross-entropy, as a metric), since the side-by-side step is written for
    one device in float32. Each model then sees the same orders as the
    others (each `fit` starts at epoch 0's), but the curves are comparable,
    not identical, to the side-by-side ones.

    Every call starts `train` at epoch 0's shuffle order (for datasets that
    count their epochs, such as `as_dataset`'s). With `backup_dir` (a
    recipe's `--resume`) every epoch is backed up there, and a run started
    again continues from the last finished one, with the same curves and
    weights as without the interruption.

    Args:
        models: name -> a compiled-or-not Keras model ending in a softmax.
        train: batches of `(features, integer labels)`, shuffled as wanted.
        validation: batches of `(features, integer labels)`.
        epochs: number of passes over `train`.
        learning_rate: the SGD learning rate.
        verbose: 1 shows a progress bar with the latest losses, 0 nothing.
        backup_dir: this training's backup folder, or None for no backups.

    Returns:
        name -> `{"loss": [...], "val_loss": [...]}`, one value per epoch.

    Example:

    >>> from keras_workshop.dropout import as_dataset, dropout_mlp, noisy_digits
    >>> split = noisy_digits()
    >>> train = as_dataset(split.x_train, split.y_train, batch_size=128, shuffle_seed=0)
    >>> validation = as_dataset(split.x_test, split.y_test, batch_size=128)
    >>> models = {f"p={p}": dropout_mlp(64, (32,), dropout_rate=p) for p in (0.0, 0.5)}
    >>> curves = fit_side_by_side(models, train, validation, epochs=3, verbose=0)
    >>> sorted(curves), len(curves["p=0.5"]["val_loss"])
    (['p=0.0', 'p=0.5'], 3)
    """
    if not models:
        raise ValueError("fit_side_by_side: got no models.")
    if epochs < 1:
        raise ValueError(f"fit_side_by_side: epochs must be >= 1, got {epochs}.")
    train_steps, validation_steps = _steps(train, "train"), _steps(validation, "validation")
    if keras.mixed_precision.global_policy().name != "float32" or tf.distribute.has_strategy() or any(
        getattr(model, "_distribute_strategy", None) is not None for model in models.values()
    ):
        return _fit_each(models, train, validation, epochs, learning_rate, verbose, backup_dir)
    names = list(models)
    networks = [models[name] for name in names]
    variables = [v for network in networks for v in network.trainable_variables]
    optimizer = keras.optimizers.SGD(learning_rate)
    optimizer.build(variables)
    cross_entropy = keras.losses.SparseCategoricalCrossentropy()

    def mean_losses(iterator, steps, training):
        """Batch-size-weighted mean loss of each network over `steps` batches."""
        total, count = tf.zeros(len(networks)), tf.constant(0.0)
        for _ in tf.range(steps):
            features, labels = next(iterator)
            with tf.GradientTape() if training else contextlib.nullcontext() as tape:
                losses = [cross_entropy(labels, n(features, training=training)) for n in networks]
            if training:
                with tape:  # penalties are computed when read: read them on the tape
                    penalties = [tf.add_n(n.losses) for n in networks if n.losses]
                    objective = tf.add_n(losses + penalties)
                optimizer.apply(tape.gradient(objective, variables), variables)
            size = tf.cast(tf.shape(features)[0], tf.float32)
            total, count = total + tf.stack(losses) * size, count + size
        return total / count

    # What a resumed run continues from: every variable, the curves so far.
    store = EpochStore(backup_dir) if backup_dir else None
    state = store.load() if store else None
    kept = [v for network in networks for v in network.variables] + list(optimizer.variables)
    curves = {name: {"loss": [], "val_loss": []} for name in names}
    first = 0
    if state is not None:
        if len(state["arrays"]) != len(kept):
            raise ValueError(f"fit_side_by_side: the backup in {backup_dir!r} is of other models; delete it to start over.")
        for number, variable in enumerate(kept):
            variable.assign(state["arrays"][f"variable_{number}"])
        curves, first = state["curves"], state["epoch"]
        announce(backup_dir, first)
    if counts_epochs(train):
        start_at_epoch(train, first)  # the first pass is epoch `first`'s order

    # Iterators over repeated datasets, advanced inside the graph: creating an
    # iterator inside a tf.function on every call costs more than the epoch itself.
    train_iterator, validation_iterator = iter(train.repeat()), iter(validation.repeat())

    @tf.function
    def run_epoch():
        return (
            mean_losses(train_iterator, train_steps, training=True),
            mean_losses(validation_iterator, validation_steps, training=False),
        )

    labels = [f"val_loss[{name}]" for name in names]
    progress = keras.utils.Progbar(epochs, stateful_metrics=labels, unit_name="epoch") if verbose else None
    if progress and first:
        progress.update(first)
    for epoch in range(first, epochs):
        train_losses, validation_losses = (np.asarray(t) for t in run_epoch())
        for name, train_loss, validation_loss in zip(names, train_losses, validation_losses):
            curves[name]["loss"].append(float(train_loss))
            curves[name]["val_loss"].append(float(validation_loss))
        if store is not None:
            store.save(epoch + 1, {"curves": curves}, {f"variable_{n}": np.asarray(v) for n, v in enumerate(kept)})
        if progress:
            progress.add(1, values=list(zip(labels, validation_losses)))
    return curves


def _fit_each(models, train, validation, epochs, learning_rate, verbose, backup_dir) -> dict:
    """`fit_side_by_side`'s curves from one `fit` per model (distributed or mixed-precision models)."""
    curves = {}
    for name, model in models.items():
        with model.distribute_strategy.scope():
            model.compile(keras.optimizers.SGD(learning_rate), "sparse_categorical_crossentropy",
                          metrics=[keras.metrics.SparseCategoricalCrossentropy(name="cross_entropy")])
        backup = None if backup_dir is None else os.path.join(backup_dir, name)
        history = resumable_fit(model, train, backup, validation_data=validation, epochs=epochs, shuffle=False,
                                verbose=verbose)
        curves[name] = {"loss": history.history["cross_entropy"], "val_loss": history.history["val_cross_entropy"]}
    return curves


def _steps(dataset: tf.data.Dataset, what: str) -> int:
    """The number of batches in one pass over `dataset`."""
    steps = int(dataset.cardinality())
    if steps < 1:
        raise ValueError(
            f"fit_side_by_side: the {what} dataset must be finite with a known number of "
            f"batches (cardinality {steps}); build it without `repeat()` or `filter()`."
        )
    return steps
