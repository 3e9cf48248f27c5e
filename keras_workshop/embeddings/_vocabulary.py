"""Symbols to ids to one-hot vectors: one mapping, read on the host and inside graphs."""

from __future__ import annotations

import collections
import difflib
from typing import Hashable, Iterable, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._checks import check_ids, check_not_a_string

_OOV_POLICIES = ("error", "token")


class Vocabulary:
    """A fixed mapping between symbols (words, item ids, tags) and integer ids.

    `symbols` is the one source of the mapping; two views are derived from it:
    a dict for NumPy and Python callers (`ids`, `in`), and one Keras lookup
    layer for graphs (`layer`, a `StringLookup` or `IntegerLookup` giving the
    same ids: put it in a model and the vocabulary travels inside its `.keras`
    file; `lookup` and `table` read it in `tf.data` pipelines, `tf.function`s
    and exported SavedModels).

    Args:
        symbols: the symbols, in id order. All strings or all integers, no
            duplicates; no string ending with a NUL character (Keras' lookup
            layers would read it without that character).
        oov: what unknown symbols do. `"error"` (default): they are an error
            (`ValueError` naming them from `ids()`; the lookup layer fails in
            graphs), and ids are `0 .. len(symbols) - 1`. `"token"`: they map to
            id 0, reserved for `oov_token`, and the symbols take ids from 1.
        oov_token: the symbol reported for id 0 when `oov="token"`.
        counts: optional frequencies, one per symbol (kept as `counts`).

    Example:

    >>> vocab = Vocabulary(["tomato", "bread", "salad", "cheese"])
    >>> vocab.ids(["salad", "tomato"])
    array([2, 0])
    >>> vocab.onehot("salad")
    array([0., 0., 1., 0.], dtype=float32)
    """

    def __init__(
        self,
        symbols: Sequence[Hashable],
        oov: str = "error",
        oov_token: str | int | None = None,
        counts: Sequence[int] | None = None,
    ):
        check_not_a_string(symbols, "Vocabulary: symbols")
        symbols = list(symbols)
        if oov not in _OOV_POLICIES:
            raise ValueError(f"Vocabulary: oov must be one of {_OOV_POLICIES}, got {oov!r}.")
        if not symbols:
            raise ValueError("Vocabulary: got no symbols; expected at least one.")
        if all(isinstance(s, str) for s in symbols):
            default_token = "[UNK]"
        elif all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in symbols):
            default_token = -1
            symbols = [int(s) for s in symbols]
        else:
            kinds = sorted({type(s).__name__ for s in symbols})
            raise ValueError(
                f"Vocabulary: symbols must be all strings or all integers, got {kinds}."
            )
        cut = [s for s in symbols if isinstance(s, str) and s.endswith("\x00")]
        if cut:
            raise ValueError(
                f"Vocabulary: symbols {cut[:5]} end with a NUL character ('\\x00'), which Keras' lookup layers "
                "drop (NumPy's fixed-width strings); expected symbols that do not end with one."
            )
        duplicates = [s for s, n in collections.Counter(symbols).items() if n > 1]
        if duplicates:
            raise ValueError(f"Vocabulary: duplicate symbols {duplicates[:5]}.")
        if counts is not None and len(counts) != len(symbols):
            raise ValueError(
                f"Vocabulary: got {len(counts)} counts for {len(symbols)} symbols."
            )
        self.oov = oov
        self.oov_token = default_token if oov_token is None else oov_token
        if oov == "token" and self.oov_token in symbols:
            raise ValueError(f"Vocabulary: the oov_token {self.oov_token!r} is also one of the symbols.")
        self.symbols = ([self.oov_token] if oov == "token" else []) + symbols
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self._index = {s: i for i, s in enumerate(self.symbols)}  # the host-side view
        self._layer = None  # the in-graph view, made on first use

    @property
    def layer(self) -> keras.layers.StringLookup | keras.layers.IntegerLookup:
        """The in-graph view: a Keras `StringLookup` (or `IntegerLookup`) giving the ids `ids` gives.

        `oov="error"`: no OOV index, and an unknown symbol fails the layer with
        an error naming it and the package's remedy (`oov="token"`).
        `oov="token"`: one OOV index, id 0, with `oov_token`. Made once,
        outside any graph being traced, so every model, pipeline and export
        that uses this vocabulary shares it.

        Example:

        >>> model = keras.Sequential([Vocabulary(["tomato", "bread", "salad"]).layer, keras.layers.Embedding(3, 2)])
        >>> model(tf.constant([["salad", "tomato"]])).shape
        TensorShape([1, 2, 2])
        """
        if self._layer is None:
            lookup = StringLookup if isinstance(self.symbols[0], str) else IntegerLookup
            with tf.init_scope():
                if self.oov == "token":
                    self._layer = lookup(vocabulary=self.symbols[1:], num_oov_indices=1, oov_token=self.oov_token,
                                         mask_token=None)
                else:
                    self._layer = lookup(vocabulary=self.symbols, num_oov_indices=0, mask_token=None)
        return self._layer

    @property
    def table(self) -> tf.lookup.StaticHashTable:
        """The lookup table inside `layer`: symbol -> int64 id; unknown -> -1 (`oov="error"`) or 0 (`"token"`)."""
        return self.layer.lookup_table

    def lookup(self, symbols):
        """The ids of a tensor of symbols, in graphs and eagerly, with the vocabulary's `oov` policy.

        `oov="error"`: an unknown symbol raises `tf.errors.InvalidArgumentError`
        naming it (in a `tf.data` map, when the element is read).
        `oov="token"`: unknown symbols get id 0. The same mapping as `ids`.

        Example:

        >>> vocabulary = Vocabulary(["a", "b", "c"])
        >>> dataset = tf.data.Dataset.from_tensor_slices(["c", "a"]).map(vocabulary.lookup)
        >>> [int(id) for id in dataset]
        [2, 0]
        """
        symbols = tf.convert_to_tensor(symbols)
        if symbols.dtype.is_integer:
            symbols = tf.cast(symbols, tf.int64)
        ids = self.table.lookup(symbols)
        if self.oov == "token":
            return ids
        unknown = ids < 0
        first = tf.boolean_mask(tf.reshape(symbols, [-1]), tf.reshape(unknown, [-1]))[:1]
        check = tf.debugging.Assert(
            tf.logical_not(tf.reduce_any(unknown)),
            ["Vocabulary.lookup: symbol(s) not in the vocabulary, e.g.", first,
             "; use oov='token' to map unknown symbols to an OOV id."],
        )
        with tf.control_dependencies([check]):
            return tf.identity(ids)

    @classmethod
    def from_tokens(
        cls,
        tokens: Iterable[Hashable],
        min_count: int = 1,
        max_size: int | None = None,
        oov: str = "error",
    ) -> "Vocabulary":
        """Builds a vocabulary of the tokens seen at least `min_count` times.

        Ids follow decreasing frequency (ties: first seen first), so id 0 (or
        1 with an OOV token) is the most frequent symbol.

        Example:

        >>> Vocabulary.from_tokens("the cat saw the dog".split()).symbols[0]
        'the'
        """
        check_not_a_string(tokens, "Vocabulary.from_tokens: tokens")
        if min_count < 1:
            raise ValueError(f"Vocabulary.from_tokens: min_count must be >= 1, got {min_count}.")
        counter = collections.Counter(tokens)
        kept = [(s, n) for s, n in counter.most_common(max_size) if n >= min_count]
        if not kept:
            raise ValueError(
                f"Vocabulary.from_tokens: no token occurs {min_count} or more times "
                f"({len(counter)} distinct tokens seen)."
            )
        symbols, counts = zip(*kept)
        return cls(symbols, oov=oov, counts=counts)

    def __len__(self) -> int:
        """The number of ids, which is the `input_dim` an Embedding needs."""
        return len(self.symbols)

    def __contains__(self, symbol) -> bool:
        return symbol in self._index

    def __repr__(self) -> str:
        head = ", ".join(map(repr, self.symbols[:5]))
        more = ", ..." if len(self) > 5 else ""
        return f"Vocabulary([{head}{more}], size={len(self)}, oov={self.oov!r})"

    def ids(self, symbols, unknown: int | None = None) -> np.ndarray:
        """Returns the ids of `symbols` (one symbol or an array of them) as int64.

        The same mapping as `lookup`, read from the host-side dict: no tensor round trip.
        `unknown`, when given, is the id of symbols outside the vocabulary instead
        of the `oov` policy (for example -1, to drop them afterwards).

        Example:

        >>> Vocabulary(["tomato", "bread"]).ids(["bread", "pizza"], unknown=-1)
        array([ 1, -1])
        """
        array = np.asarray(symbols, dtype=object)
        flat = array.ravel().tolist()
        if unknown is None and self.oov == "error":
            missing = [s for s in dict.fromkeys(flat) if s not in self._index]
            if missing:
                raise ValueError(self._unknown_message(missing))
        fallback = 0 if unknown is None else unknown  # oov="token": id 0
        ids = np.fromiter((self._index.get(s, fallback) for s in flat), dtype=np.int64, count=len(flat))
        return ids.reshape(array.shape)

    def to_symbols(self, ids) -> np.ndarray:
        """Returns the symbols of `ids` (inverse of `ids()`)."""
        ids = check_ids(ids, len(self), "Vocabulary.to_symbols")
        return np.asarray(self.symbols, dtype=object)[ids]

    def onehot(self, symbols) -> np.ndarray:
        """Returns the one-hot vectors of `symbols`, shape `symbols.shape + (len(self),)`."""
        return np.asarray(keras.ops.one_hot(self.ids(symbols), len(self)), dtype=np.float32)

    def _unknown_message(self, unknown: list) -> str:
        text = [str(s) for s in self.symbols]
        hints = []
        for symbol in unknown[:3]:
            close = difflib.get_close_matches(str(symbol), text, n=3)
            hints.append(f"{symbol!r} (close: {', '.join(close) or 'none'})")
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        return (
            f"{len(unknown)} symbol(s) not in the vocabulary of {len(self)}: "
            f"{'; '.join(hints)}{more}. Use oov='token' to map unknown symbols to an OOV id."
        )


def onehot(symbol, vocabulary: Vocabulary | Sequence[Hashable]) -> np.ndarray:
    """The slide's one-hot vector: `onehot('salad') = [0, 0, 1, ..., 0]`.

    Args:
        symbol: one symbol, or an array-like of symbols.
        vocabulary: a `Vocabulary`, or the symbols in id order.

    Returns:
        float32 array in {0, 1}, of shape `(len(vocabulary),)` for one symbol.

    Example:

    >>> onehot("salad", ["tomato", "bread", "salad", "cheese"])
    array([0., 0., 1., 0.], dtype=float32)
    """
    if not isinstance(vocabulary, Vocabulary):
        check_not_a_string(vocabulary, "onehot: vocabulary")
        vocabulary = Vocabulary(vocabulary)
    return vocabulary.onehot(symbol)


def _refuse_unknown(layer, inputs):
    """An assertion naming the unknown symbols of `inputs` (ids -1 under `num_oov_indices=0`) and the remedy."""
    inputs = tf.convert_to_tensor(inputs)
    if layer.num_oov_indices or layer.invert:
        return []
    keys = tf.cast(inputs, tf.int64) if inputs.dtype.is_integer else inputs
    unknown = tf.equal(layer.lookup_table.lookup(keys), -1)
    return [tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(unknown)),
        ["Vocabulary.layer: symbol(s) not in the vocabulary:", tf.boolean_mask(inputs, unknown),
         "; expected symbols of the vocabulary (a Vocabulary made with oov=token maps unknown symbols to id 0)."],
        summarize=10,
    )]


@keras.saving.register_keras_serializable(package="keras_workshop")
class StringLookup(keras.layers.StringLookup):
    """Keras' `StringLookup`, whose unknown symbols fail with the package's message (`Vocabulary.layer`)."""

    def call(self, inputs):
        with tf.control_dependencies(_refuse_unknown(self, inputs)):  # before Keras' own check
            return super().call(inputs)


@keras.saving.register_keras_serializable(package="keras_workshop")
class IntegerLookup(keras.layers.IntegerLookup):
    """Keras' `IntegerLookup`, whose unknown symbols fail with the package's message (`Vocabulary.layer`)."""

    def call(self, inputs):
        with tf.control_dependencies(_refuse_unknown(self, inputs)):  # before Keras' own check
            return super().call(inputs)
