"""A callback that logs the cosine-similarity neighbours of probe symbols while training."""

from __future__ import annotations

import json
import math
import os
import time
from typing import Callable, Mapping, Sequence

import keras
import numpy as np

from keras_workshop.embeddings._neighbours import nearest_neighbours
from keras_workshop._checks import check_not_a_string
from keras_workshop.embeddings._vocabulary import Vocabulary


class CosineNeighbours(keras.callbacks.Callback):
    """Logs the top-k cosine neighbours of probe symbols every `every` epochs.

    At each logging point the current weights of the Embedding layer are read
    and normalised afresh (a cached copy would go stale as training moves
    them), and all probes are answered by one matrix product plus top-k
    (`nearest_neighbours`). Each point logs, per probe, its neighbours with
    their cosine scores and the overlap of its top-k with the previous point's
    (how settled the space is), plus the scores of `evaluate` if given.

    Args:
        layer: the `keras.layers.Embedding` (or its name in the model).
        vocabulary: a `Vocabulary`, or the symbols in id order.
        probes: the symbols to watch.
        k: neighbours per probe.
        every: log every `every` epochs; also at the end of training.
        log_path: a `.jsonl` file getting one JSON object per logging point:
            `{"epoch": e, "neighbours": {probe: [[symbol, score], ...]},
            "overlap": {probe: fraction}, "scores": {...}}`.
        tensorboard_dir: a log dir for TensorBoard text summaries
            (`neighbours/<probe>`) and scalars (`scores/<name>`).
        evaluate: a function of the embedding matrix returning `{name: value}`
            (for words: Spearman correlations with human similarity judgements).
            A NaN value means undefined (a correlation over fewer than 3 judged
            pairs): it is logged as `null` in JSON, `n/a` on the console, and
            left out of TensorBoard. An infinite or non-numeric value is a
            `ValueError` naming it.
        verbose: 1 prints a table at each logging point, 0 prints nothing.
        log_initial: also log the space before the first epoch of each `fit`
            (with `fit(initial_epoch=e)`, as epoch `e`; a fresh model's is epoch
            0, the initial random space). When appending a run that continues
            from epoch `e > 0`, its start was logged by the run before: skipped.
        append: like `keras.callbacks.CSVLogger`: `False` (default) starts
            `log_path` afresh at each `fit`; `True` appends to it.
        name: what is trained (`"two_tower_all"`), in each console heading and
            in each record (`"model"`), so the logs of several trainings tell
            which is which.
        labels: display names of symbols (`{"item:50": "Star Wars (1977)"}`)
            for the console and TensorBoard; a symbol without one shows as
            itself. The JSON log keeps the symbols.

    Like Keras' own callbacks, the state of a run (the previous neighbours for
    the overlap, `history`) is reset when training begins, so one instance
    serves several `fit` calls; the log file and the TensorBoard event file
    are written as each point is logged and closed when training ends. A run
    resumed by `runtime.EpochBackup` continues both as if it had never
    stopped (`set_state`).

    Example:

    >>> vocabulary = Vocabulary(["tomato", "bread", "salad", "cheese", "pizza"])
    >>> model = keras.Sequential([keras.Input((1,), dtype="int32"), keras.layers.Embedding(5, 3), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> callback = CosineNeighbours(model.layers[0], vocabulary, ["salad"], k=2, verbose=0)
    >>> _ = model.fit(np.arange(5)[:, None], np.ones(5), epochs=2, verbose=0, callbacks=[callback])
    >>> [record["epoch"] for record in callback.history]
    [0, 1, 2]
    >>> len(callback.history[-1]["neighbours"]["salad"])
    2
    """

    def __init__(
        self,
        layer,
        vocabulary: Vocabulary | Sequence,
        probes: Sequence,
        k: int = 5,
        every: int = 1,
        log_path: str | None = None,
        tensorboard_dir: str | None = None,
        evaluate: Callable[[np.ndarray], Mapping[str, float]] | None = None,
        verbose: int = 1,
        log_initial: bool = True,
        append: bool = False,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
    ):
        super().__init__()
        check_not_a_string(probes, "CosineNeighbours: probes")
        if not isinstance(vocabulary, Vocabulary):
            check_not_a_string(vocabulary, "CosineNeighbours: vocabulary")
            vocabulary = Vocabulary(vocabulary)
        if not probes:
            raise ValueError("CosineNeighbours: got no probes; expected at least one symbol.")
        if every < 1:
            raise ValueError(f"CosineNeighbours: every must be >= 1, got {every}.")
        if not 1 <= k < len(vocabulary):
            raise ValueError(f"CosineNeighbours: k must be in [1, {len(vocabulary) - 1}], got {k}.")
        self.probe_ids = vocabulary.ids(list(probes))  # ValueError naming unknown probes, with close matches
        self.probes = list(probes)
        self.vocabulary, self.k, self.every = vocabulary, k, every
        self.log_path, self.evaluate, self.verbose = log_path, evaluate, verbose
        self.tensorboard_dir = tensorboard_dir
        self.log_initial, self.append = log_initial, append
        self.name, self.labels = name, dict(labels or {})
        self._layer = layer
        self._writer = None
        self._file = None
        self._log_start = None  # where this run's log starts in the file; None outside training
        self._resumed_at = None
        self._reset()

    def _reset(self) -> None:
        """Forgets the last run: previous neighbours, logged epochs, history."""
        self._previous: dict[str, set] = {}
        self._last_logged = None
        self._epochs_done = None
        self.history: list[dict] = []

    @property
    def layer(self) -> keras.layers.Embedding:
        layer = self._layer
        if isinstance(layer, str):
            if self.model is None:
                raise ValueError(f"CosineNeighbours: layer {layer!r} is a name, but no model is set.")
            layer = self.model.get_layer(layer)
        if not isinstance(layer, keras.layers.Embedding):
            raise ValueError(
                f"CosineNeighbours: layer {getattr(layer, 'name', layer)!r} is a "
                f"{type(layer).__name__}; expected a keras.layers.Embedding."
            )
        if layer.input_dim != len(self.vocabulary):
            raise ValueError(
                f"CosineNeighbours: the Embedding has input_dim {layer.input_dim} but the "
                f"vocabulary has {len(self.vocabulary)} symbols."
            )
        return layer

    def set_model(self, model):
        super().set_model(model)
        self.layer  # fails early on a wrong layer

    def on_train_begin(self, logs=None):
        self._reset()
        # The log file is opened at its first write and starts where this run starts it:
        # empty, or (append=True) after what it holds; a resumed run sets it in `set_state`.
        self._log_start = os.path.getsize(self.log_path) if self.append and self.log_path and os.path.exists(
            self.log_path) else 0
        self._resumed_at = None  # the step TensorBoard discards later summaries from, on a resumed run

    def on_epoch_begin(self, epoch, logs=None):
        if self._epochs_done is None and self.log_initial and not (self.append and epoch > 0):
            self.log(epoch)  # before this fit's first epoch
        self._epochs_done = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._epochs_done = epoch + 1
        if (epoch + 1) % self.every == 0:
            self.log(epoch + 1)

    def on_train_end(self, logs=None):
        if self._epochs_done is not None and self._epochs_done != self._last_logged:
            self.log(self._epochs_done)
        self._open_log()  # the file exists after training, even with nothing logged
        for handle in (self._file, self._writer):
            if handle is not None:
                handle.close()
        self._file = self._writer = self._log_start = None

    def get_state(self) -> dict:
        """The state of this run as JSON, for `runtime.EpochBackup`."""
        return {"previous": {probe: sorted(names) for probe, names in self._previous.items()},
                "last_logged": self._last_logged, "epochs_done": self._epochs_done, "history": self.history,
                "log_bytes": self._file.tell() if self._file is not None else self._log_start}

    def set_state(self, state: dict) -> None:
        """Continues the run `state` is from, as if what was logged after it had never been.

        Called after `on_train_begin` by `runtime.EpochBackup` when training
        resumes. The log file is cut back to its length at that state (lines a
        kill left after it go; nothing before it is rewritten), and TensorBoard
        is told that the run restarts there. Each `fit` writes its summaries to
        a new event file that begins with a `SessionLog.START` event at its
        first step; TensorBoard takes a later START as a restart and discards
        the summaries it holds from that step on (its `purge_orphaned_data`,
        as PyTorch's `SummaryWriter(purge_step=...)`). A resumed run's START is
        at the step after the backup.
        """
        self._previous = {probe: set(names) for probe, names in state["previous"].items()}
        self._last_logged, self._epochs_done, self.history = state["last_logged"], state["epochs_done"], state["history"]
        self._log_start = state["log_bytes"]
        if self._file is not None:
            self._file.truncate(self._log_start)
        self._resumed_at = 0 if self._epochs_done is None else self._epochs_done + 1

    def _open_log(self) -> None:
        if self._file is None and self.log_path:
            os.makedirs(os.path.dirname(os.path.abspath(self.log_path)), exist_ok=True)
            self._file = open(self.log_path, "a")
            self._file.truncate(min(self._log_start, os.path.getsize(self.log_path)))

    def log(self, epoch: int) -> dict:
        """Computes, records and returns the neighbours of every probe at `epoch`."""
        embeddings = self.layer.embeddings
        ids, scores = nearest_neighbours(embeddings, self.probe_ids, self.k)
        symbols = np.asarray(self.vocabulary.symbols, dtype=object)
        record = {"epoch": epoch, "neighbours": {}, "overlap": {}, "scores": {}} | ({"model": self.name} if self.name else {})
        for probe, row_ids, row_scores in zip(self.probes, ids, scores):
            names = symbols[row_ids].tolist()
            record["neighbours"][probe] = [[str(n), round(float(s), 6)] for n, s in zip(names, row_scores)]
            if probe in self._previous:
                record["overlap"][probe] = len(self._previous[probe] & set(names)) / self.k
            self._previous[probe] = set(names)
        if self.evaluate is not None:
            record["scores"] = {name: _score(name, value) for name, value in self.evaluate(np.asarray(embeddings)).items()}
        self.history.append(record)
        self._last_logged = epoch
        if self.log_path and self._log_start is not None:
            self._open_log()
            self._file.write(json.dumps(record, allow_nan=False) + "\n")  # valid JSON or an error, never -Infinity
            self._file.flush()
        if self.tensorboard_dir:
            self._summaries(record)
        if self.verbose:
            print(format_neighbours(record, self.labels))
        return record

    def _summaries(self, record: dict) -> None:
        from tensorboard.compat.proto.event_pb2 import Event, SessionLog
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb
        from tensorboard.plugins.text.summary_v2 import text_pb
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        if self._writer is None:  # one event file per fit, opened by a START at the fit's first step
            self._writer = EventFileWriter(self.tensorboard_dir)
            start = record["epoch"] if self._resumed_at is None else self._resumed_at
            self._writer.add_event(Event(wall_time=time.time(), step=start,
                                         session_log=SessionLog(status=SessionLog.START)))
        summaries = []
        for probe, neighbours in record["neighbours"].items():
            rows = "\n".join(f"| {self.labels.get(name, name)} | {score:.3f} |" for name, score in neighbours)
            summaries.append(text_pb(f"neighbours/{probe}", f"| neighbour | cosine |\n|---|---|\n{rows}"))
        for name, value in record["scores"].items():
            if value is not None:  # undefined at this epoch
                summaries.append(scalar_pb(f"scores/{name}", value))
        for summary in summaries:
            self._writer.add_event(Event(wall_time=time.time(), step=record["epoch"], summary=summary))
        self._writer.flush()


def _score(name: str, value) -> float | None:
    """One score of `evaluate` as logged: a float, or None for NaN (undefined)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"CosineNeighbours: evaluate gave {name!r} = {value!r}; expected a number.") from None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError(f"CosineNeighbours: evaluate gave {name!r} = {number}; expected a finite number, or NaN "
                         "for undefined.")
    return number


def format_neighbours(record: dict, labels: Mapping[str, str] | None = None) -> str:
    """The console table of one logging point, symbols shown by their `labels` where they have one."""
    labels = labels or {}
    model = f" of {record['model']}" if record.get("model") else ""
    lines = [f"Cosine neighbours{model} after epoch {record['epoch']}:"]
    width = max(len(labels.get(probe, probe)) for probe in record["neighbours"])
    for probe, neighbours in record["neighbours"].items():
        listed = ", ".join(f"{labels.get(name, name)} {score:.2f}" for name, score in neighbours)
        overlap = record["overlap"].get(probe)
        settled = "" if overlap is None else f"  (overlap with last: {overlap:.0%})"
        lines.append(f"  {labels.get(probe, probe):>{width}}: {listed}{settled}")
    if record["scores"]:
        lines.append("  " + ", ".join(f"{name} {'n/a' if value is None else f'{value:.3f}'}"
                                      for name, value in record["scores"].items()))
    return "\n".join(lines)
