"""Figures for the slides, drawn with matplotlib's object API (no global state)."""

from __future__ import annotations

import math
import os
from typing import Mapping

import numpy as np
from matplotlib.figure import Figure


def plot_cosine_histograms(cosines: Mapping[int, np.ndarray], path: str) -> str:
    """Saves one histogram of random-pair cosine similarities per dimension.

    Each panel overlays the normal density with mean 0 and standard deviation
    `1 / sqrt(d)`, which random pairs approach as `d` grows.

    Args:
        cosines: dimension `d` -> the cosines of random pairs of vectors in R^d.
        path: where to write the figure; the format follows the extension.

    Returns:
        `path`.

    Example:

    >>> plot_cosine_histograms({16: np.random.uniform(-1, 1, 500)}, "/tmp/h.png")
    '/tmp/h.png'
    """
    if not cosines:
        raise ValueError("plot_cosine_histograms: got no dimensions to plot.")
    columns = min(3, len(cosines))
    rows = math.ceil(len(cosines) / columns)
    figure = Figure(figsize=(4 * columns, 2.8 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    grid = np.linspace(-1, 1, 801)
    for axis, (dim, values) in zip(axes, sorted(cosines.items())):
        spread = 1 / math.sqrt(dim)
        axis.hist(values, bins=50, density=True, color="tab:blue", alpha=0.7)
        axis.plot(
            grid,
            np.exp(-0.5 * (grid / spread) ** 2) / (spread * math.sqrt(2 * math.pi)),
            color="black",
            linewidth=1,
            label="N(0, 1/d)",
        )
        axis.set_xlim(-1, 1)
        axis.set_xticks([-1, -0.5, 0, 0.5, 1])
        axis.set_title(f"d = {dim}: mean {np.mean(values):+.3f}, std {np.std(values):.3f}")
    for axis in axes[len(cosines) :]:
        axis.set_visible(False)
    axes[0].legend(loc="upper left", fontsize="small")
    figure.suptitle("Cosine similarity of random pairs of embedding vectors")
    figure.supxlabel("cosine(x, y)")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=110)
    return path
