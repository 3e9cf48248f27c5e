"""Resuming training after a kill: epoch backups that commit atomically, one folder per training of a run."""

from __future__ import annotations

import json
import os
from typing import Callable, Sequence

import keras
import numpy as np

from keras_workshop.runtime._determinism import seed_generator_states

_STATE = "state.json"  # the commit point: names the files of the last finished epoch


class EpochStore:
    """The state of a training's last finished epoch in a folder, committed by one atomic rename.

    Each epoch's files are written beside the previous epoch's; then `state.json`
    is replaced (`os.replace`) by one naming them, and the older files are
    removed. A kill at any moment leaves the previous or the new epoch whole.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def initial_epoch(self) -> int:
        """The epoch a `fit` resumes at (`_resume_epoch` of the last committed state): 0 with none."""
        return self._read(_resume_epoch) or 0

    def load(self) -> dict | None:
        """The last committed state (`"epoch"`, `"arrays"`, `"weights"` path, the rest as saved), or None."""

        def with_arrays(state):
            with np.load(os.path.join(self.folder, state["arrays"])) as arrays:
                state["arrays"] = {name: arrays[name] for name in arrays.files}
            return state

        state = self._read(with_arrays)
        if state is None:
            return None
        if state.get("weights"):
            state["weights"] = os.path.join(self.folder, state["weights"])
        return state

    def _read(self, then):
        """`then(state)` of the committed `state.json`, None without one; a damaged backup is one `ValueError`."""
        path = os.path.join(self.folder, _STATE)
        if not os.path.exists(path):
            return None
        try:
            with open(path) as file:
                return then(json.load(file))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise self._unreadable(error) from error

    def _unreadable(self, error: Exception) -> ValueError:
        return ValueError(
            f"The backup in {self.folder!r} cannot be read ({type(error).__name__}: {error}); expected the "
            "files a resumable run writes. Delete that folder to start this training over."
        )

    def save(self, epoch: int, meta: dict, arrays: dict, write_weights: Callable[[str], None] | None = None) -> None:
        """Commits the state after `epoch` finished epochs: `meta` (JSON), `arrays` and optional weights."""
        os.makedirs(self.folder, exist_ok=True)
        stem = f"epoch-{epoch:05d}"
        np.savez(os.path.join(self.folder, f"{stem}.npz"), **arrays)
        weights = None
        if write_weights is not None:
            weights = f"{stem}.weights.h5"
            write_weights(os.path.join(self.folder, weights))
        temporary = os.path.join(self.folder, f"{_STATE}.tmp")
        with open(temporary, "w") as file:
            json.dump({**meta, "epoch": epoch, "arrays": f"{stem}.npz", "weights": weights}, file)
        os.replace(temporary, os.path.join(self.folder, _STATE))
        for name in os.listdir(self.folder):
            if name.startswith("epoch-") and not name.startswith(f"{stem}."):
                os.remove(os.path.join(self.folder, name))


def _resume_epoch(state: dict) -> int:
    """The epoch a `fit` resumes at from a committed state.

    Its finished epochs, or the planned ones if early stopping ended it (it trains no more).
    """
    return int(state["epochs"] if state["stopped"] else state["epoch"])


class EpochBackup(keras.callbacks.Callback):
    """Backs up a training after every epoch, so that a killed training resumes bit for bit.

    Keras' `BackupAndRestore` restores the weights, the optimizer and the
    epoch. A resumed run then differs from an uninterrupted one: the dropout
    masks start again from the seed (the seed generators' states are not in
    its backup), the shuffle order restarts, and `EarlyStopping` forgets its
    best epoch; and it overwrites its files in place, so a kill while writing
    leaves a damaged backup. This callback backs up, after every epoch:

    - the weights and the optimizer (`model.save_weights`);
    - the states of the model's random seed generators;
    - `EarlyStopping`'s state, its best weights included, and that of any
      callback with `get_state()` / `set_state(state)` (`CosineNeighbours`,
      which also drops what it logged after the backup);
    - every finished epoch's logs: `history`, and the `History` that `fit`
      returns, cover the whole run;
    - whether early stopping ended the training;

    each epoch committed by one atomic rename (`EpochStore`), so a kill at any
    moment leaves the last finished epoch whole. When training begins, it
    restores the last backup. The backup is kept after training: a script
    that trains several models resumes after the last finished one.

    The epoch to start at is Keras' own `fit(initial_epoch=...)`: pass
    `backup.initial_epoch`, which is the epochs the backup has finished (0
    without one; the planned epochs when early stopping had ended the
    training, so it trains no more), and start the training data there too:
    a dataset whose order is a function of the epoch (`array_batches`,
    `skipgram_dataset`) with `first_epoch=backup.initial_epoch` gives a
    resumed run the batches the interrupted one would have seen. A `fit` that
    starts at another epoch than the backup's is a `ValueError`.

    Put it last among the callbacks, after those whose state it keeps.

    Args:
        backup_dir: this training's own folder.
        callbacks: the other callbacks of the `fit`, whose state to keep.

    Example:

    >>> import tempfile
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dropout(0.5, seed=1), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> folder = tempfile.mkdtemp()
    >>> _ = model.fit(np.ones((4, 2)), np.ones(4), epochs=2, verbose=0, callbacks=[EpochBackup(folder)])
    >>> backup = EpochBackup(folder)
    >>> backup.initial_epoch
    2
    >>> history = model.fit(np.ones((4, 2)), np.ones(4), epochs=3, initial_epoch=backup.initial_epoch, verbose=0,
    ...                     callbacks=[backup])  # doctest: +ELLIPSIS
    Resuming ...: 2 epochs done
    >>> len(history.history["loss"]), len(backup.history.history["loss"])  # three epochs in all, one trained now
    (3, 3)
    """

    def __init__(self, backup_dir: str, callbacks: Sequence[keras.callbacks.Callback] = ()):
        super().__init__()
        if not backup_dir:
            raise ValueError(f"EpochBackup: expected a folder to back up in, got {backup_dir!r}.")
        self.backup_dir = backup_dir
        self._store = EpochStore(backup_dir)
        self._callbacks = list(callbacks)
        self.epoch_logs: list[dict] = []
        self._restored_epoch = 0

    @property
    def initial_epoch(self) -> int:
        """The epoch the next `fit` starts at (`fit(initial_epoch=...)`, the data's `first_epoch`)."""
        return initial_epoch(self.backup_dir)

    @property
    def history(self) -> keras.callbacks.History:
        """A `History` of every finished epoch, those before a resumption included."""
        history = keras.callbacks.History()
        history.set_params(self.params)
        history.set_model(self.model)
        history.epoch = list(range(len(self.epoch_logs)))
        for logs in self.epoch_logs:
            for name, value in logs.items():
                history.history.setdefault(name, []).append(value)
        return history

    def on_train_begin(self, logs=None):
        self.epoch_logs = []
        self._restored_epoch = self._restore()

    def on_epoch_begin(self, epoch, logs=None):
        if self._restored_epoch is not None and epoch != self._restored_epoch:
            raise ValueError(
                f"EpochBackup: this fit starts at epoch {epoch}, but the backup in {self.backup_dir!r} resumes at "
                f"epoch {self._restored_epoch}; expected fit(initial_epoch=backup.initial_epoch)."
            )
        self._restored_epoch = None  # checked once, at the fit's first epoch

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_logs.append({name: float(value) for name, value in (logs or {}).items()})
        arrays = {f"random_{number}": np.asarray(v) for number, v in enumerate(seed_generator_states(self.model))}
        callbacks = [_callback_state(callback, arrays, f"callback_{number}_")
                     for number, callback in enumerate(self._callbacks)]
        meta = {"history": self.epoch_logs, "callbacks": callbacks, "stopped": bool(self.model.stop_training),
                "epochs": self.params["epochs"]}
        self._store.save(epoch + 1, meta, arrays, write_weights=self.model.save_weights)

    def on_train_end(self, logs=None):
        self.model.history = self.history  # what `fit` returns: every epoch, those before a resumption too

    def _restore(self) -> int:
        """Restores the last backup into the model and the callbacks; the epoch the `fit` must start at."""
        state = self._store.load()
        if state is None:
            return 0
        if not self.model.built:
            raise ValueError(f"EpochBackup: the model must be built before `fit` to resume from {self.backup_dir!r}.")
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(state["weights"])
        arrays = state["arrays"]
        states = seed_generator_states(self.model)
        if len(states) != sum(name.startswith("random_") for name in arrays):
            raise ValueError(
                f"EpochBackup: the backup in {self.backup_dir!r} has the seed states of another model "
                f"(this one has {len(states)} seed generators); delete it to start this training over."
            )
        for number, variable in enumerate(states):
            variable.assign(arrays[f"random_{number}"])
        for number, (callback, saved) in enumerate(zip(self._callbacks, state["callbacks"])):
            if saved is not None:
                _set_callback_state(callback, saved, arrays, f"callback_{number}_")
        self.epoch_logs = state["history"]
        announce(self.backup_dir, state["epoch"], state["stopped"])
        return _resume_epoch(state)


def announce(folder: str, epoch: int, stopped: bool = False) -> None:
    """Prints that a training resumes from its backup in `folder`, after `epoch` finished epochs."""
    ending = "; early stopping had ended it" if stopped else ""
    print(f"Resuming {folder}: {epoch} epoch{'s' * (epoch != 1)} done{ending}", flush=True)


_EARLY_STOPPING = ("wait", "stopped_epoch", "best", "best_epoch")


def _callback_state(callback, arrays: dict, prefix: str):
    """A callback's state as JSON, its arrays added to `arrays` under `prefix`; None if it keeps none."""
    if isinstance(callback, keras.callbacks.EarlyStopping):
        for number, weight in enumerate(callback.best_weights or []):
            arrays[f"{prefix}{number}"] = np.asarray(weight)
        state = {name: getattr(callback, name) for name in _EARLY_STOPPING}
        state["best"] = None if state["best"] is None else float(state["best"])
        return {**state, "best_weights": None if callback.best_weights is None else len(callback.best_weights)}
    if hasattr(callback, "get_state") and hasattr(callback, "set_state"):
        return callback.get_state()
    return None


def _set_callback_state(callback, state: dict, arrays: dict, prefix: str) -> None:
    if isinstance(callback, keras.callbacks.EarlyStopping):
        for name in _EARLY_STOPPING:
            setattr(callback, name, state[name])
        count = state["best_weights"]
        callback.best_weights = None if count is None else [arrays[f"{prefix}{n}"] for n in range(count)]
    else:
        callback.set_state(state)


def check_backup_settings(folder: str, settings: dict) -> None:
    """Keeps a run's options in `folder/settings.json`, or checks them against those kept there.

    A recipe's `--resume` backs up each training in its own folder under
    `folder` (`Runtime.backup_dir`). Run the same command again after an
    interruption, and the finished trainings end at once with the weights
    they had, the interrupted one continues from its last finished epoch,
    and the results are the same, bit for bit on the CPU, as those of an
    uninterrupted run. Other settings than the backups' are an error, since
    their trainings would not be the ones the script now starts.

    Raises:
        ValueError: the folder holds backups made with other settings (naming them).

    Example:

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_backup_settings(folder, {"epochs": 10})
    >>> check_backup_settings(folder, {"epochs": 20})
    Traceback (most recent call last):
    ...
    ValueError: --resume: the backups in '...' were made with other settings (epochs: 10 then, 20 now); ...
    """
    settings = json.loads(json.dumps(settings))  # as read back: lists, not tuples
    path = os.path.join(folder, "settings.json")
    if os.path.exists(path):
        with open(path) as file:
            saved = json.load(file)
        changed = sorted(name for name in set(saved) | set(settings) if saved.get(name) != settings.get(name))
        if changed:
            described = ", ".join(f"{name}: {saved.get(name)!r} then, {settings.get(name)!r} now" for name in changed)
            raise ValueError(
                f"--resume: the backups in {folder!r} were made with other settings ({described}); expected the "
                "same command as the interrupted run. Delete that folder to start over."
            )
        return
    os.makedirs(folder, exist_ok=True)
    with open(f"{path}.tmp", "w") as file:
        json.dump(settings, file, indent=2)
    os.replace(f"{path}.tmp", path)


def initial_epoch(backup_dir: str | None) -> int:
    """The epoch a training backed up in `backup_dir` starts at: its finished epochs, 0 with none (or no folder).

    A training that early stopping had ended starts at its planned epochs: it trains no more.
    """
    return 0 if backup_dir is None else EpochStore(backup_dir).initial_epoch()
