"""Lab 2, the slides' Embedding as `onehot(x) . W`: its values, then its gradients."""

from __future__ import annotations

import numpy as np

from keras_workshop.labs._checks import Wrong, answer, exercise, quiet_keras

LAB = "lab2_embedding"


def _cases():
    rng = np.random.default_rng(0)
    for n, d, ids in [(5, 3, [2, 0, 4]), (10, 4, [[1, 1], [9, 0]]), (7, 2, [3, 3, 3])]:
        yield rng.normal(size=(n, d)).astype(np.float32), np.array(ids)


def _embedding(W):
    """A Keras `Embedding` holding `W`: the reference the answers are compared with."""
    layer = quiet_keras().layers.Embedding(*W.shape)
    layer.build((None,))
    layer.embeddings.assign(W)
    return layer


@exercise(LAB)
def embed(function):
    """`embed(ids, W)`: the Embedding's output, written as one-hot vectors times W with NumPy."""
    for W, ids in _cases():
        reference = np.asarray(_embedding(W)(ids))
        got = np.asarray(answer(function, ids.copy(), W.copy(), name="embed"), dtype=float)
        if got.shape != reference.shape:
            hint = (" (one row of W per id: W is (n, d), so `onehot . W` is (..., d), not W transposed)"
                    if got.shape[-1:] == (W.shape[0],) else "")
            raise Wrong(f"embed(ids of shape {ids.shape}, W of shape {W.shape}) has shape {got.shape}; the "
                        f"Embedding gives {reference.shape}{hint}")
        if not np.allclose(got, reference, atol=1e-5):
            raise Wrong(f"embed({ids.tolist()}, W) is not the Embedding's output: row i of the answer must be "
                        "row ids[i] of W, which is what onehot(ids[i]) . W picks")
    return "the same numbers as keras.layers.Embedding, for 1-D and 2-D ids"


@exercise(LAB)
def embed_gradient(function):
    """`embed_gradient(ids, W, upstream)`: dL/dW of L = sum(upstream * embed(ids, W)), as `onehot(ids)^T . upstream`."""
    for W, ids in _cases():
        upstream = np.random.default_rng(1).normal(size=(*ids.shape, W.shape[1])).astype(np.float32)
        layer = _embedding(W)
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(upstream * layer(ids))
        reference = tf.convert_to_tensor(tape.gradient(loss, layer.embeddings)).numpy()
        got = np.asarray(answer(function, ids.copy(), W.copy(), upstream.copy(), name="embed_gradient"), dtype=float)
        if got.shape != W.shape:
            raise Wrong(f"the gradient with respect to W has W's shape {W.shape}, got {got.shape}")
        untouched = ~np.isin(np.arange(W.shape[0]), ids)
        if np.abs(got[untouched]).max(initial=0) > 1e-5:
            raise Wrong("rows of W whose id is not in the batch get a gradient of 0: nothing read them")
        if not np.allclose(got, reference, atol=1e-4):
            repeated = len(np.unique(ids)) < ids.size
            raise Wrong("an id seen several times gets the sum of their upstream rows: add them, do not overwrite"
                        if repeated else "row k of the gradient is the upstream row of the position holding id k")
    return "the same gradient as TensorFlow's, repeated ids included"
