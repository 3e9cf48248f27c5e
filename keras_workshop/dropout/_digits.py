"""Real data that ships inside installed packages, prepared as the lecture did."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from keras_workshop._checks import check_non_negative_int


class Examples(NamedTuple):
    """Features `x` (float32, one row per image) and their labels `y` (int32, 0-9).

    A pair, so `runtime.array_batches(split.train, ...)` batches it as it is.
    """

    x: np.ndarray
    y: np.ndarray


class Split(NamedTuple):
    """The lecture's data in three parts, `train`, `valid` and `test`, each `Examples`."""

    train: Examples
    valid: Examples
    test: Examples


def noisy_digits(
    noisy_labels: int = 200, seed: int = 42, test_size: float = 0.15, validation_split: float = 0.5
) -> Split:
    """scikit-learn's digits with the first `noisy_labels` labels replaced at random.

    This is the lecture's set-up for its dropout figures: with
    `numpy.random.RandomState(seed)`, `target[:noisy_labels]` is redrawn
    uniformly from 0-9; then `train_test_split(test_size, random_state=seed)` and
    a `StandardScaler` fitted on the training part (validation included). As
    Keras' `fit(validation_split=...)` does, the last `validation_split` of the
    training part is `valid` (`floor(n * (1 - validation_split))` rows stay in
    `train`); with `validation_split=0`, `valid` holds no rows.

    Example:

    >>> split = noisy_digits()
    >>> split.train.x.shape, split.valid.x.shape, split.test.x.shape
    ((763, 64), (764, 64), (270, 64))
    >>> noisy_digits(validation_split=0).train.x.shape
    (1527, 64)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    digits = load_digits()
    check_non_negative_int(noisy_labels, "noisy_labels", "noisy_digits")
    if noisy_labels > len(digits.target):
        raise ValueError(
            f"noisy_digits: `noisy_labels` must be in [0, {len(digits.target)}], got {noisy_labels}."
        )
    for name, share, low in (("test_size", test_size, "("), ("validation_split", validation_split, "[")):
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share < 1 or (low == "(" and share == 0):
            raise ValueError(f"noisy_digits: `{name}` must be a share in {low}0, 1), got {share!r}.")
    target = digits.target.copy()
    target[:noisy_labels] = np.random.RandomState(seed).randint(0, 10, size=noisy_labels)
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, target, test_size=test_size, random_state=seed
    )
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = (scaler.transform(x).astype("float32") for x in (x_train, x_test))
    y_train, y_test = y_train.astype("int32"), y_test.astype("int32")
    split_at = int(math.floor(len(x_train) * (1.0 - validation_split)))
    return Split(
        train=Examples(x_train[:split_at], y_train[:split_at]),
        valid=Examples(x_train[split_at:], y_train[split_at:]),
        test=Examples(x_test, y_test),
    )
