"""A callback that measures a recommender as recommenders are measured, each epoch, and logs it for Keras' callbacks."""

from __future__ import annotations

import keras
import numpy as np

from keras_workshop._checks import check_int_in_range, check_positive_int
from keras_workshop.recommenders._metrics import TOPK_METRICS, dense_bool, topk_metrics


class TopKValidation(keras.callbacks.Callback):
    """Adds `val_<metric>` (NDCG@10 by default) to each epoch's logs: every movie ranked, the seen ones left out.

    The model scores `inputs` (`model.predict`); `topk_metrics` measures the
    scores against `relevant` with `seen` left out. Place it before the
    callbacks that read the value, as in `callbacks=[TopKValidation(...),
    keras.callbacks.EarlyStopping("val_ndcg", mode="max",
    restore_best_weights=True)]`: the epoch with the best validation figure is
    the model `fit` returns. `best` and `best_epoch` (0-based) hold the best so
    far; they are reset when training begins, and kept by `runtime.EpochBackup`
    (`get_state`, `set_state`) when a training resumes.

    Args:
        inputs: what the model reads for each user (a bag of movies, fields).
        relevant: `(users, items)` bool or sparse: the validation movies.
        seen: `(users, items)` bool or sparse: the movies never ranked (those trained on).
        metric: one of `TOPK_METRICS`.
        k: the cut-off.
        batch_size: users per `predict` batch.

    Example:

    >>> import numpy as np, keras
    >>> bags = np.eye(4, dtype="float32")[[0, 1, 2]]
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
    >>> model.compile("sgd", "mse")
    >>> validation = TopKValidation(bags, np.eye(4, dtype=bool)[[1, 2, 3]], bags > 0, k=2)
    >>> history = model.fit(bags, bags, epochs=2, verbose=0, callbacks=[validation])
    >>> len(history.history["val_ndcg"]), validation.best_epoch in (0, 1)
    (2, True)
    """

    def __init__(self, inputs, relevant, seen, metric: str = "ndcg", k: int = 10, batch_size: int = 1024):
        super().__init__()
        if metric not in TOPK_METRICS:
            raise ValueError(f"TopKValidation: metric {metric!r} is not one of {TOPK_METRICS}.")
        check_positive_int(batch_size, "batch_size", "TopKValidation")
        self.inputs, self.metric, self.k, self.batch_size = inputs, metric, k, batch_size
        users = len(inputs[0] if isinstance(inputs, (list, tuple)) else inputs)
        self.relevant = dense_bool(relevant, _shape_of(relevant), "relevant")
        self.seen = dense_bool(seen, self.relevant.shape, "seen")
        if self.relevant.shape[0] != users:
            raise ValueError(f"TopKValidation: {users} users in `inputs` but {self.relevant.shape[0]} rows in "
                             "`relevant`; expected one row per user.")
        check_int_in_range(k, 1, self.relevant.shape[1], "k", "TopKValidation")
        self.best, self.best_epoch = -np.inf, None

    def on_train_begin(self, logs=None):
        self.best, self.best_epoch = -np.inf, None

    def get_state(self) -> dict:
        """The best so far, as JSON, for `runtime.EpochBackup`."""
        return {"best": None if self.best_epoch is None else float(self.best), "best_epoch": self.best_epoch}

    def set_state(self, state: dict) -> None:
        """Continues from `state` (`get_state`'s) when a training resumes."""
        self.best_epoch = state["best_epoch"]
        self.best = -np.inf if self.best_epoch is None else state["best"]

    def on_epoch_end(self, epoch, logs=None):
        scores = self.model.predict(self.inputs, batch_size=self.batch_size, verbose=0)
        value = topk_metrics(scores, self.relevant, self.seen, k=self.k)[self.metric]
        if value > self.best:
            self.best, self.best_epoch = value, epoch
        if logs is not None:
            logs[f"val_{self.metric}"] = value


def _shape_of(matrix) -> tuple:
    return tuple(matrix.shape) if hasattr(matrix, "shape") else np.asarray(matrix).shape
