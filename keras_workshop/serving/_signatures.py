"""Serving signatures for embedding models: embed, neighbours, and their symbol forms."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._checks import assert_ids_in_range
from keras_workshop.embeddings import Vocabulary, nearest_neighbours, unit_rows


class _Tables(tf.Module):
    """What the signatures read besides the model: unit columns, and the vocabulary's table and symbols."""

    def __init__(self, weights: np.ndarray, vocabulary: Vocabulary | None):
        super().__init__()
        # Stored transposed, (d, V): a query-times-matrix product reads it row-major,
        # 2.5x faster on CPU than a product with `transpose_b=True`.
        self.unit_columns = tf.Variable(unit_rows(weights).T, trainable=False)
        if vocabulary is not None:
            self.table = vocabulary.table  # the vocabulary's own in-graph view: one mapping
            self.symbols = tf.constant(vocabulary.symbols)


def embedding_signatures(embedding: keras.layers.Embedding, vocabulary=None, oov_token: str = "[UNK]"):
    """Returns `(tables, signatures)`; signatures maps a signature name to `(fn, input_signature, sample)`.

    `vocabulary`: a `Vocabulary` of string symbols, or the symbols in id order.
    Each sample is `(inputs, expected outputs)`, the expected outputs computed
    in NumPy with `nearest_neighbours`, independently of the graph.
    """
    weights = np.asarray(embedding.embeddings.numpy(), dtype=np.float32)
    size = len(weights)
    if vocabulary is not None:
        if not isinstance(vocabulary, Vocabulary):
            vocabulary = Vocabulary([str(symbol) for symbol in vocabulary])
        if not isinstance(vocabulary.symbols[0], str):
            raise ValueError("export_for_serving: the vocabulary's symbols must be strings for symbol signatures.")
        if len(vocabulary) != size:
            raise ValueError(
                f"export_for_serving: the vocabulary has {len(vocabulary)} symbols for an Embedding "
                f"of input_dim {size}."
            )
    tables = _Tables(weights, vocabulary)
    ids_spec = tf.TensorSpec((None,), tf.int32, name="ids")
    k_spec = tf.TensorSpec((), tf.int32, name="k")
    symbols_spec = tf.TensorSpec((None,), tf.string, name="symbols")

    def embed(ids):
        return {"vectors": embedding(ids)}

    def neighbours(ids, k):
        ids = assert_ids_in_range(ids, size, "neighbours")
        check_k = tf.debugging.Assert(
            tf.logical_and(k >= 1, k <= size - 1), ["neighbours: k must be in [1, %d], got" % (size - 1), k]
        )
        with tf.control_dependencies([check_k]):
            queries = tf.gather(tables.unit_columns, ids, axis=1)  # (d, queries): the same unit rows
        scores = tf.matmul(queries, tables.unit_columns, transpose_a=True)
        own = tf.stack([tf.range(tf.shape(ids)[0]), ids], axis=1)  # each query's own row: never a neighbour
        scores = tf.tensor_scatter_nd_update(scores, own, tf.fill(tf.shape(ids), -np.inf))
        top = tf.math.top_k(scores, k)
        return {"neighbour_ids": top.indices, "scores": top.values}

    sample_ids = np.array([0, size - 1], dtype=np.int32)
    sample_k = np.int32(min(3, size - 1))
    expected_ids, expected_scores = nearest_neighbours(weights, sample_ids, int(sample_k))
    signatures = {
        "embed": (embed, [ids_spec], ({"ids": sample_ids}, {"vectors": weights[sample_ids]})),
        "neighbours": (
            neighbours,
            [ids_spec, k_spec],
            ({"ids": sample_ids, "k": sample_k},
             {"neighbour_ids": expected_ids.astype(np.int32), "scores": expected_scores}),
        ),
    }
    if vocabulary is None:
        return tables, signatures
    symbols = vocabulary.symbols  # strings: checked above

    def lookup(words):
        ids = tf.cast(tables.table.lookup(words), tf.int32)
        found = ids >= 0
        return tf.where(found, ids, 0), found

    def embed_symbols(symbols):
        ids, found = lookup(symbols)
        vectors = embedding(ids) * tf.cast(found, embedding.compute_dtype)[:, None]
        return {"vectors": vectors, "found": found}

    def neighbours_symbols(symbols, k):
        ids, found = lookup(symbols)
        result = neighbours(ids, k)
        names = tf.gather(tables.symbols, result["neighbour_ids"])
        return {
            "neighbour_symbols": tf.where(found[:, None], names, oov_token),
            "scores": tf.where(found[:, None], result["scores"], 0.0),
            "found": found,
        }

    sample_symbols = np.array([symbols[0], symbols[-1], "__not_in_the_vocabulary__"], dtype=object)
    found = np.array([True, True, False])
    names = np.array(symbols, dtype=object)[expected_ids]
    signatures["embed_symbols"] = (
        embed_symbols,
        [symbols_spec],
        ({"symbols": sample_symbols},
         {"vectors": np.concatenate([weights[sample_ids], np.zeros((1, weights.shape[1]), np.float32)]),
          "found": found}),
    )
    signatures["neighbours_symbols"] = (
        neighbours_symbols,
        [symbols_spec, k_spec],
        ({"symbols": sample_symbols, "k": sample_k},
         {"neighbour_symbols": np.concatenate([names, np.full((1, int(sample_k)), oov_token, dtype=object)]),
          "scores": np.concatenate([expected_scores, np.zeros((1, int(sample_k)), np.float32)]),
          "found": found}),
    )
    return tables, signatures
