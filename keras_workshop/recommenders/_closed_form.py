"""Linear item-item recommenders in closed form: EASE, and dropout on the layer's input (DLAE, EDLAE).

Keras' `Dropout(p)` (kept entries scaled by `1/(1 - p)`) on the bag of movies
feeding a `Dense(items, use_bias=False)` trained with squared error is, in
expectation over the masks, an L2 penalty on each input's row of weights in
proportion to how often that input is on (Wager et al. 2013; Steck 2020,
"Autoencoders that don't overfit towards the identity"). With `G = XᵀX`:
`Λ = p / (1 - p) · diag(G) + λI`.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_workshop._checks import check_finite_number, check_rate
from keras_workshop.recommenders._baselines import interaction_matrix


def dropout_penalised_gram(train, rate: float, l2: float, where: str) -> tuple[np.ndarray, np.ndarray]:
    """`(G, G + Λ)` in float64: the Gram matrix and the Gram matrix with dropout's and λ's penalty."""
    matrix = interaction_matrix(train)
    check_rate(rate, "rate", where)
    check_finite_number(l2, "l2", where)
    gram = (matrix.T @ matrix).toarray().astype(np.float64)
    penalised = gram.copy()
    penalised[np.diag_indices_from(penalised)] += rate / (1 - rate) * np.diag(gram) + l2
    if rate == 0 and l2 == 0:
        raise ValueError(f"{where}: `rate` and `l2` are both 0: nothing keeps the weights from the identity; "
                         "expected a dropout rate > 0 or an l2 > 0.")
    return gram, penalised


def ease_scores(train, l2: float = 400.0) -> np.ndarray:
    """EASE (Steck, 2019): a linear item-item model with a zero diagonal, in closed form: `X @ ease_weights(X, l2)`.

    Example:

    >>> scores = ease_scores(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]]), l2=1.0)
    >>> scores.shape, bool(scores[0, 0] > scores[0, 2])
    ((3, 3), True)
    """
    return np.asarray(interaction_matrix(train) @ ease_weights(train, l2))


def ease_weights(train, l2: float = 400.0) -> np.ndarray:
    """EASE's item-item matrix: `P = (XᵀX + λI)⁻¹`, `B = I - P / diag(P)`, in float64.

    Each column is divided by its diagonal entry, which leaves the diagonal 0:
    no movie predicts itself. `l2` is λ. `B` minimises `|X - XB|² + λ|B|²`
    subject to `diag(B) = 0`: EDLAE without dropout (`edlae_weights(train, 0, l2)`).

    Example:

    >>> ease_weights(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]]), l2=1.0).diagonal().tolist()
    [0.0, 0.0, 0.0]
    """
    check_finite_number(l2, "l2", "ease_weights", strict=True)
    return _solve(train, 0.0, l2, "ease_weights", zero_diagonal=True)


def dlae_weights(train, rate: float = 0.5, l2: float = 0.0) -> np.ndarray:
    """DLAE's item-item matrix `B = (G + Λ)⁻¹ G`: what `Dropout(rate) -> Dense` learns, in expectation, in float64.

    The minimiser of the expected squared error `E|X - dropout(X) B|²` plus
    `l2 |B|²` over the masks of Keras' `Dropout(rate)` (inverted: kept
    entries scaled by `1/(1 - rate)`), with nothing on the diagonal: dropout
    alone keeps `B` from the identity. A movie nobody chose has a zero row
    and column (nothing to learn from it or about it).

    Args:
        train: `(users, items)` interactions (1 where a user chose a movie).
        rate: the dropout rate `p`, in [0, 1).
        l2: λ >= 0, an L2 penalty added on every weight (`rate` or `l2` above 0).

    Example:

    >>> weights = dlae_weights(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]]), rate=0.5)
    >>> weights.shape, bool(np.all(weights.diagonal() < 1))
    ((3, 3), True)
    """
    return _solve(train, rate, l2, "dlae_weights", zero_diagonal=False)


def edlae_weights(train, rate: float = 0.5, l2: float = 0.0) -> np.ndarray:
    """EDLAE's item-item matrix: `P = (G + Λ)⁻¹`, `B = -P / diag(P)` column by column, `diag(B) = 0`; float64.

    The minimiser of the expected squared error of `Dropout(rate) -> Dense`
    with no movie predicting itself (a zero diagonal; the loss then counts
    each movie as if it were dropped, which is what emphasising the dropped
    items does) plus `l2 |B|²`. With `rate=0` it is EASE (`ease_weights`).

    Example:

    >>> x = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]])
    >>> bool(np.allclose(edlae_weights(x, rate=0.0, l2=1.0), ease_weights(x, l2=1.0)))
    True
    >>> edlae_weights(x, rate=0.5).diagonal().tolist()
    [0.0, 0.0, 0.0]
    """
    return _solve(train, rate, l2, "edlae_weights", zero_diagonal=True)


def _solve(train, rate: float, l2: float, where: str, zero_diagonal: bool) -> np.ndarray:
    """The closed form on the movies someone chose; a movie nobody chose keeps a zero row and column.

    With a zero diagonal: `B = -P / diag(P)` column by column, `P = (G + Λ)⁻¹`;
    without: `B = (G + Λ)⁻¹ G`.
    """
    gram, penalised = dropout_penalised_gram(train, rate, l2, where)
    chosen = np.ix_(*[np.flatnonzero(np.diag(gram) > 0)] * 2)  # without them, dropout alone leaves G + Λ singular
    weights = np.zeros_like(gram)
    if zero_diagonal:
        inverse = np.linalg.inv(penalised[chosen])
        weights[chosen] = -inverse / np.diag(inverse)
        np.fill_diagonal(weights, 0)
    else:
        weights[chosen] = np.linalg.solve(penalised[chosen], gram[chosen])
    return weights


@keras.saving.register_keras_serializable(package="keras_workshop")
class ZeroDiagonal(keras.constraints.Constraint):
    """Keeps a square kernel's diagonal at 0 after every update: no movie predicts itself.

    Example:

    >>> ZeroDiagonal()(keras.ops.ones((2, 2))).numpy().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """

    def __call__(self, w):
        size = keras.ops.shape(w)[0]
        return w * (1.0 - keras.ops.eye(size, dtype=w.dtype))

    def get_config(self):
        return {}
