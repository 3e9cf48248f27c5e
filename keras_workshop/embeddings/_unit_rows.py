"""The one row normalisation: unit rows, and inverse row norms for scaling scores instead."""

from __future__ import annotations

import numpy as np


def unit_rows(rows) -> np.ndarray:
    """Each row of a `(n, d)` matrix divided by its euclidean norm: the one row normalisation.

    Cosine similarities are then dot products. A zero row stays zero, so it
    has cosine 0 with every row (as in `cosine_similarity`). NumPy in and out;
    float64 stays float64, anything else becomes float32.

    Example:

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]])
    """
    rows = np.asarray(rows)
    if rows.dtype != np.float64:
        rows = rows.astype(np.float32)
    if rows.ndim != 2:
        raise ValueError(f"unit_rows: expected a (n, d) matrix, got shape {rows.shape}.")
    return rows * inverse_norms(rows)[:, None]


def inverse_norms(rows: np.ndarray) -> np.ndarray:
    """`1 / ||row||` for each row of a float matrix, 0 for zero rows (scales scores instead of rows).

    Rows whose squared norm underflows (values near 1e-20 in float32) or
    overflows (near 1e20) are measured again scaled by their largest value,
    so they get their true norm rather than being taken for zero rows.
    """
    squares = np.einsum("ij,ij->i", rows, rows)
    norms = np.sqrt(squares)
    # Squares that overflowed, or fell below the normal range (where precision is lost): rare rows.
    redo = np.nonzero((squares < np.finfo(rows.dtype).tiny) | (squares == np.inf))[0]
    if len(redo):
        scales = np.abs(rows[redo]).max(axis=1)
        scaled = rows[redo] / np.where(scales > 0, scales, 1)[:, None]
        norms[redo] = scales * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))
    return np.divide(1, norms, out=np.zeros_like(norms), where=(norms > 0) & (norms < np.inf))
