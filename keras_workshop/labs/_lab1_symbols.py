"""Lab 1, symbols to one-hot: the one-hot vector, the sqrt(2) between any two, a vocabulary with an unknown symbol."""

from __future__ import annotations

import math

import numpy as np

from keras_workshop.labs._checks import Wrong, answer, exercise, quiet_keras

LAB = "lab1_symbols"
_SYMBOLS = (["tomato", "bread", "salad"], ["a", "b", "c", "d", "e", "f", "g"], ["only"],
            [f"item:{n}" for n in range(40)])


@exercise(LAB)
def onehot(function):
    """`onehot(symbol, symbols)`: a vector of `len(symbols)` numbers, 1 at the symbol's position, 0 elsewhere."""
    for symbols in _SYMBOLS:
        for position, symbol in enumerate(symbols):
            vector = np.asarray(answer(function, symbol, list(symbols), name="onehot"), dtype=float)
            if vector.shape != (len(symbols),):
                raise Wrong(f"onehot({symbol!r}, {_short(symbols)}) has shape {vector.shape}: one number per symbol "
                            f"gives shape ({len(symbols)},)")
            if not np.isin(vector, (0, 1)).all() or vector.sum() != 1:
                raise Wrong(f"onehot({symbol!r}, {_short(symbols)}) = {_short(vector.tolist())}: a one-hot vector "
                            "holds a single 1 and zeros everywhere else")
            found = int(np.argmax(vector))
            if found != position:
                raise Wrong(f"onehot({symbol!r}, ...) has its 1 at position {found}, but {symbol!r} is at position "
                            f"{position} of the symbols (positions count from 0)")
    return "a single 1, at the symbol's own position, for every symbol of 4 vocabularies"


@exercise(LAB)
def onehot_distance(value):
    """`onehot_distance`: the euclidean distance between the one-hot vectors of two different symbols."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise Wrong(f"onehot_distance must be a number, got {type(value).__name__}") from None
    if math.isclose(value, 2.0, abs_tol=1e-6):
        raise Wrong("2 is the squared distance (the sum of squared differences): the distance is its square root")
    if math.isclose(value, 0.0, abs_tol=1e-6):
        raise Wrong("0 is the distance of a vector to itself: take two different symbols")
    if not math.isclose(value, math.sqrt(2), abs_tol=1e-6):
        raise Wrong(f"{value:g} is not it: subtract the two vectors, square each difference, add them up, then "
                    "take the square root")
    return "the same for every pair of different symbols"


@exercise(LAB)
def lookup(function):
    """`lookup(words, symbols)`: one id per word: the unknown symbol is 0, `symbols` get 1, 2, ... in their order."""
    keras = quiet_keras()
    cases = [(["bread", "tomato", "soup", "salad"], ["tomato", "bread", "salad"]),
             (["x", "x", "b", "a"], ["a", "b"]), ([], ["a", "b"]), (["a"], ["a"])]
    for words, symbols in cases:
        reference = np.asarray(keras.layers.StringLookup(vocabulary=symbols)(np.array(words, dtype=str))
                               if words else np.zeros(0), dtype=int)
        if not words:
            got = answer(function, list(words), list(symbols), name="lookup")
            if np.asarray(got).size != 0:
                raise Wrong(f"lookup([], ...) = {got!r}: no words, no ids")
            continue
        ids = np.asarray(answer(function, list(words), list(symbols), name="lookup"))
        if ids.shape != reference.shape:
            raise Wrong(f"lookup({words}, {symbols}) has shape {ids.shape}: one id per word gives "
                        f"{reference.shape}")
        known = reference > 0
        if known.any() and np.array_equal(ids[known], reference[known] - 1):
            raise Wrong("every id is one too small: id 0 is the unknown symbol, so the first of `symbols` is 1")
        if not np.array_equal(ids[reference == 0], reference[reference == 0]):
            raise Wrong(f"lookup({words}, {symbols}) = {ids.tolist()}: a word that is not in `symbols` is the "
                        "unknown symbol, id 0")
        if not np.array_equal(ids, reference):
            raise Wrong(f"lookup({words}, {symbols}) = {ids.tolist()}: the known words' ids are 1 + their position "
                        "in `symbols`")
    return "as Keras' StringLookup numbers them (one unknown symbol, id 0)"


def _short(values, most=6) -> str:
    values = list(values)
    return str(values) if len(values) <= most else f"[{', '.join(map(repr, values[:most]))}, ...]"

