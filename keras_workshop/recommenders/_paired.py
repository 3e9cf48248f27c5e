"""A model against a baseline measured on the same splits: the paired difference and its standard error."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def paired_difference(values: Mapping, baseline: Mapping) -> dict:
    """The mean of `values[s] - baseline[s]` over the splits `s`, its standard error, and the wins.

    On the same split both models face the same users and held-out movies, so
    the split's own luck cancels in the difference: its standard error
    (`std(differences, ddof=1) / sqrt(splits)`) is far smaller than either
    mean's. A difference above twice its standard error is unlikely to be luck
    (the paired t-test's statistic is `mean / standard_error`).

    Args:
        values: split seed -> the model's figure.
        baseline: split seed -> the baseline's figure, for the same split seeds.

    Returns:
        `{"mean", "standard_error", "ahead", "splits"}`: `ahead` counts the
        splits where the model is above the baseline; the standard error is NaN
        with one split (nothing to estimate it from).

    Example:

    >>> result = paired_difference({0: 0.36, 1: 0.35, 2: 0.37}, {0: 0.35, 1: 0.345, 2: 0.362})
    >>> round(result["mean"], 4), round(result["standard_error"], 4), result["ahead"]
    (0.0077, 0.0015, 3)
    """
    splits = sorted(values)
    if not splits or set(values) != set(baseline):
        raise ValueError(f"paired_difference: figures of splits {splits} against the baseline's {sorted(baseline)}; "
                         "expected the same splits, at least one.")
    differences = np.array([values[split] - baseline[split] for split in splits], dtype=np.float64)
    if not np.all(np.isfinite(differences)):
        raise ValueError(f"paired_difference: NaN or inf among the figures of splits {splits}; expected finite numbers.")
    standard_error = differences.std(ddof=1) / np.sqrt(len(splits)) if len(splits) > 1 else float("nan")
    return {"mean": float(differences.mean()), "standard_error": float(standard_error),
            "ahead": int((differences > 0).sum()), "splits": len(splits)}
