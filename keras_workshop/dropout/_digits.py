"""Real data that ships inside installed packages, prepared as the lecture did."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """Train and test arrays: `x` float32 features, `y` int32 labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def noisy_digits(noisy_labels: int = 200, seed: int = 42, test_size: float = 0.15) -> Split:
    """scikit-learn's digits with the first `noisy_labels` labels replaced at random.

    This is the lecture's set-up for its dropout figures: with
    `numpy.random.RandomState(seed)`, `target[:noisy_labels]` is redrawn
    uniformly from 0-9; then `train_test_split(test_size, random_state=seed)` and
    a `StandardScaler` fitted on the training part.

    Example:

    >>> split = noisy_digits()
    >>> split.x_train.shape, split.x_test.shape
    ((1527, 64), (270, 64))
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    digits = load_digits()
    if not 0 <= noisy_labels <= len(digits.target):
        raise ValueError(
            f"noisy_digits: noisy_labels must be in [0, {len(digits.target)}], got {noisy_labels}."
        )
    target = digits.target.copy()
    target[:noisy_labels] = np.random.RandomState(seed).randint(0, 10, size=noisy_labels)
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, target, test_size=test_size, random_state=seed
    )
    scaler = StandardScaler().fit(x_train)
    return Split(
        scaler.transform(x_train).astype("float32"),
        y_train.astype("int32"),
        scaler.transform(x_test).astype("float32"),
        y_test.astype("int32"),
    )
