"""Figures for the slides, drawn with matplotlib's object API (no global state)."""

from __future__ import annotations

import io
import math
import os
import textwrap
from typing import Mapping, Sequence

import matplotlib
import numpy as np
import scipy.stats
from matplotlib.figure import Figure

from keras_workshop._checks import check_not_a_string
from keras_workshop.embeddings import unit_rows


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
            scipy.stats.norm.pdf(grid, scale=spread),
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
    _write(figure, [path])
    return path


def plot_loss_curves(
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    title: str,
    subtitle: str,
    path_stem: str,
    ylim: tuple[float, float] = (0, 2.4),
    ylabel: str = "cross-entropy loss",
) -> list[str]:
    """Draws training (solid) and validation (dashed) loss per model, as the lecture did.

    Args:
        curves: label -> `{"loss": [...], "val_loss": [...]}`.
        title: the figure's title (the slide's).
        subtitle: the axes' title.
        path_stem: output path without extension; PNG and SVG are written.
        ylim: the y range (the lecture's: 0 to 2.4).
        ylabel: what the curves measure.

    Returns:
        The files written.
    """
    figure = Figure(figsize=(8.5, 4.5), layout="constrained")
    axis = figure.subplots()
    for color, (label, curve) in zip(_COLORS, curves.items()):
        epochs = np.arange(1, len(curve["loss"]) + 1)
        axis.plot(epochs, curve["loss"], color=color, label=f"{label} train")
        axis.plot(epochs, curve["val_loss"], color=color, linestyle="--", label=f"{label} validation")
    axis.set_ylim(*ylim)
    axis.set_xlabel("epoch")
    axis.set_ylabel(ylabel)
    axis.set_title(subtitle)
    figure.legend(loc="outside right center", fontsize="small")
    figure.suptitle(title, fontsize="x-large")
    return _save(figure, path_stem)


def plot_loss_bars(
    final: Mapping[str, Mapping[str, float]], title: str, path_stem: str, ylabel: str = "final cross-entropy loss"
) -> list[str]:
    """Bar chart of final training and validation loss per model (PNG and SVG).

    Args:
        final: label -> `{"train": loss, "validation": loss}`.
        ylabel: what the bars measure.
    """
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axis = figure.subplots()
    positions = np.arange(len(final))
    train = [values["train"] for values in final.values()]
    validation = [values["validation"] for values in final.values()]
    axis.bar(positions - 0.2, train, width=0.4, label="train", color="tab:blue")
    axis.bar(positions + 0.2, validation, width=0.4, label="validation", color="tab:orange")
    axis.set_xticks(positions, list(final), rotation=15)
    axis.set_ylabel(ylabel)
    axis.legend()
    figure.suptitle(title, fontsize="large")
    return _save(figure, path_stem)


def plot_sweep(
    values: Sequence[float], scores: Mapping[str, Sequence[float]], references: Mapping[str, float],
    title: str, path_stem: str, xlabel: str, ylabel: str,
) -> list[str]:
    """A metric against a setting (one line per model), with the baselines as horizontal lines (PNG and SVG).

    Args:
        values: the settings swept (the x axis).
        scores: label -> one score per value.
        references: label -> a baseline's score, drawn across the plot.
    """
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axis = figure.subplots()
    for color, (label, line) in zip(_COLORS, scores.items()):
        axis.plot(values, line, marker="o", color=color, label=label)
    for style, (label, score) in zip(("--", ":", "-."), references.items()):
        axis.axhline(score, color="gray", linestyle=style, label=label)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.legend(fontsize="small")
    figure.suptitle(title, fontsize="large")
    return _save(figure, path_stem)


def plot_paired_differences(differences: Mapping[str, Mapping[str, float]], title: str, path_stem: str,
                            xlabel: str = "NDCG@10 minus the baseline's (same splits)") -> list[str]:
    """Each model's mean paired difference against a baseline, with ±2 standard errors (PNG and SVG).

    A bar right of 0 whose whisker stays right of 0 is ahead beyond the
    splits' luck; without a standard error (one split) no whisker is drawn.

    Args:
        differences: label -> `paired_difference`'s result (`mean`, `standard_error`, `ahead`, `splits`).

    Example:

    >>> import tempfile
    >>> differences = {"blend": {"mean": 0.003, "standard_error": 0.0005, "ahead": 5, "splits": 5}}
    >>> paths = plot_paired_differences(differences, "against EASE", os.path.join(tempfile.mkdtemp(), "paired"))
    >>> [os.path.basename(path) for path in paths]
    ['paired.png', 'paired.svg']
    """
    if not differences:
        raise ValueError("plot_paired_differences: no model to draw; expected at least one difference.")
    labels = list(differences)
    means = np.array([differences[label]["mean"] for label in labels], dtype=np.float64)
    errors = np.array([2 * differences[label]["standard_error"] for label in labels], dtype=np.float64)
    if not np.all(np.isfinite(means)):
        raise ValueError(f"plot_paired_differences: a mean is NaN or inf: {dict(zip(labels, means))}.")
    figure = Figure(figsize=(8, 0.5 * len(labels) + 1.5), layout="constrained")
    axis = figure.subplots()
    positions = np.arange(len(labels))[::-1]
    axis.barh(positions, means, xerr=np.where(np.isfinite(errors), errors, 0), capsize=3,
              color=np.where(means - np.nan_to_num(errors) > 0, "tab:green", "tab:gray"))
    for position, label in zip(positions, labels):
        result = differences[label]
        axis.annotate(f"ahead on {result['ahead']}/{result['splits']}", (1, position), xytext=(4, 0),
                      xycoords=("axes fraction", "data"), textcoords="offset points", va="center",
                      fontsize="small", color="dimgray")
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_yticks(positions, labels, fontsize="small")
    axis.set_xlabel(xlabel + "\nwhiskers: ±2 standard errors")
    figure.suptitle("\n".join(textwrap.fill(line, 80) for line in title.splitlines()), fontsize="large")
    return _save(figure, path_stem)


_COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]


def plot_mc_gaps(gaps: Mapping[str, Mapping[int, float]], title: str, path_stem: str) -> list[str]:
    """How far the average of n dropout masks is from the test-time network, against n (log-log; PNG and SVG).

    Each model gets its measured gaps and, dashed, the `1/sqrt(n)` fall of an
    unbiased average through its first point: dropout into a linear layer
    follows it down to 0; through a non-linearity (a softmax) the average
    levels off at the gap between the mean of the outputs and the output of the
    mean.

    Args:
        gaps: label -> `{masks: mean |average - test-time output|}`.
        title: the figure's title.
        path_stem: output path without extension.

    Example:

    >>> import tempfile
    >>> paths = plot_mc_gaps({"linear": {1: 0.4, 100: 0.04}}, "MC dropout", os.path.join(tempfile.mkdtemp(), "gaps"))
    >>> [os.path.basename(path) for path in paths]
    ['gaps.png', 'gaps.svg']
    """
    figure = Figure(figsize=(7, 4.5), layout="constrained")
    axis = figure.subplots()
    for index, (color, (label, by_masks)) in enumerate(zip(_COLORS, gaps.items())):
        masks = np.array(sorted(by_masks), dtype=np.float64)
        values = np.array([by_masks[n] for n in sorted(by_masks)], dtype=np.float64)
        if masks.size == 0 or np.any(masks < 1) or not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"plot_mc_gaps: {label!r} needs mask counts >= 1 and finite gaps > 0, got {dict(by_masks)}.")
        axis.loglog(masks, values, marker="o", color=color, label=label)
        axis.loglog(masks, values[0] * np.sqrt(masks[0] / masks), linestyle="--", color=color, alpha=0.6,
                    label="1/sqrt(n), an unbiased average's fall" if index == 0 else None)
    axis.set_xlabel("dropout masks averaged (n)")
    axis.set_ylabel("mean |average - test-time network|")
    axis.legend(fontsize="small")
    figure.suptitle(title, fontsize="large")
    return _save(figure, path_stem)


def _save(figure: Figure, path_stem: str) -> list[str]:
    return _write(figure, [f"{path_stem}.{extension}" for extension in ("png", "svg")])


def _write(figure: Figure, paths: Sequence[str]) -> list[str]:
    """Saves `figure` to each path; in a notebook (`in_notebook`), also shows it below the cell."""
    from keras_workshop.runtime import in_notebook  # a kernel shows the figure too

    os.makedirs(os.path.dirname(os.path.abspath(paths[0])), exist_ok=True)
    for path in paths:
        figure.savefig(path, dpi=110)
    if in_notebook():
        from IPython.display import Image, display

        png = next((path for path in paths if path.endswith(".png")), None)
        if png is None:  # only other formats written: render a PNG for the screen
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=110)
        display(Image(filename=png) if png else Image(data=buffer.getvalue()))
    return list(paths)


def plot_embedding_map(
    embeddings,
    symbols,
    path_stem: str,
    method: str = "tsne",
    top: int = 300,
    seed: int = 0,
    categories=None,
    labelled: int | None = None,
    title: str | None = None,
) -> list[str]:
    """The slides' "Example word vectors" figure: the first `top` symbols placed in 2-D.

    Args:
        embeddings: the `(V, d)` embedding matrix; row i is `symbols[i]`.
        symbols: the symbols, most frequent first.
        path_stem: output path without extension; PNG and SVG are written.
        method: `"tsne"` (scikit-learn's t-SNE on cosine distance) or `"pca"`.
        top: how many symbols to draw.
        seed: t-SNE's random state.
        categories: optional, one per symbol (for example a movie's main genre):
            points are coloured by category, with a legend.
        labelled: how many of the drawn symbols get their text (the first ones);
            default all.
        title: the figure's title; default the slides' "Example word vectors".

    Example:

    >>> import tempfile
    >>> embeddings = np.random.default_rng(0).standard_normal((40, 8))
    >>> paths = plot_embedding_map(embeddings, [f"w{i}" for i in range(40)], tempfile.mkdtemp() + "/map",
    ...                            method="pca", categories=["a", "b"] * 20)
    >>> [path.rsplit(".", 1)[1] for path in paths]
    ['png', 'svg']
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    check_not_a_string(symbols, "plot_embedding_map: symbols")
    check_not_a_string(categories, "plot_embedding_map: categories")
    if method not in ("tsne", "pca"):
        raise ValueError(f"plot_embedding_map: method must be 'tsne' or 'pca', got {method!r}.")
    if categories is not None and len(categories) != len(symbols):
        raise ValueError(
            f"plot_embedding_map: got {len(categories)} categories for {len(symbols)} symbols; expected one each."
        )
    count = min(top, len(symbols))
    vectors = unit_rows(np.asarray(embeddings)[:count])
    if method == "tsne":
        perplexity = min(30, max(2, count // 4))
        points = TSNE(2, perplexity=perplexity, init="pca", metric="cosine", random_state=seed).fit_transform(vectors)
    else:
        points = PCA(2, random_state=seed).fit_transform(vectors)
    figure = Figure(figsize=(11, 9), layout="constrained")
    axis = figure.subplots()
    if categories is None:
        axis.scatter(points[:, 0], points[:, 1], s=4, color="tab:blue", alpha=0.5)
    else:
        drawn = np.asarray(categories, dtype=object)[:count]
        names = sorted(set(drawn), key=lambda name: -np.sum(drawn == name))
        colours = matplotlib.colormaps["tab20"].resampled(max(len(names), 1))
        for index, name in enumerate(names):
            chosen = drawn == name
            axis.scatter(points[chosen, 0], points[chosen, 1], s=12, color=colours(index), alpha=0.8,
                         label=f"{name} ({int(chosen.sum())})")
        axis.legend(fontsize="small", markerscale=1.5, loc="best")
    for (x, y), symbol in list(zip(points, symbols[:count]))[: count if labelled is None else labelled]:
        axis.annotate(str(symbol), (x, y), fontsize=7, alpha=0.85)
    axis.set_xticks([])
    axis.set_yticks([])
    label = "t-SNE" if method == "tsne" else "PCA"
    figure.suptitle(title or f"Example word vectors: the {count} most frequent words ({label})")
    return _save(figure, path_stem)
