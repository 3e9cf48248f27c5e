"""The Embeddings slides' claims, checked against the slide text and NumPy in float64."""

import contextlib
import math
import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import Vocabulary, cosine_similarity, euclidean_distance, onehot, slides
from tests.conftest import SLIDES


def slide_text():
    with open(SLIDES) as file:
        return file.read()


def test_embedding_snippet_as_written_on_the_slide():
    lines = [line for line in slide_text().splitlines() if line.startswith("Embedding(")]
    assert lines, "the slide's Embedding(...) line was not found"
    source = lines[0].replace("\\_", "_")  # markdown escapes, as the slide file has them
    assert source == "Embedding(output_dim=d, input_dim=n, input_length=1)"
    d, n = 4, 10
    with _no_warnings():
        layer = eval(source, {"Embedding": slides.Embedding, "d": d, "n": n})
        model = slides.Sequential()
        model.add(layer)
    assert model.input_shape == (None, 1)
    assert model.output_shape == (None, 1, d)
    assert model.count_params() == n * d
    out = model.predict(np.array([[0], [9]]), verbose=0)
    assert out.shape == (2, 1, d) and out.dtype == np.float32


def test_sequential_block_as_written_on_the_slide():
    blocks = re.findall(r"```\n(.*?)```", slide_text(), flags=re.S)
    assert len(blocks) == 1 and "Sequential()" in blocks[0]
    hidden_size, input_shape, output_size = 16, (8,), 3
    namespace = dict(
        Sequential=slides.Sequential,
        Dense=slides.Dense,
        Dropout=slides.Dropout,
        hidden_size=hidden_size,
        input_shape=input_shape,
        output_size=output_size,
    )
    with _no_warnings():
        exec(blocks[0], namespace)
    model = namespace["model"]
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert [layer.rate for layer in model.layers if kinds[model.layers.index(layer)] == "Dropout"] == [0.5, 0.5]
    assert model.input_shape == (None, 8)
    assert model.output_shape == (None, output_size)
    expected = (8 * 16 + 16) + (16 * 16 + 16) + (16 * 3 + 3)
    assert model.count_params() == expected
    probabilities = model.predict(np.ones((4, 8)), verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


def test_onehot_of_salad_and_sqrt2():
    vocabulary = ["tomato", "bread", "salad", "cheese", "olive"]
    np.testing.assert_array_equal(onehot("salad", vocabulary), [0, 0, 1, 0, 0])
    vectors = Vocabulary(vocabulary).onehot(vocabulary)
    distances = euclidean_distance(vectors[:, None], vectors[None, :])
    off_diagonal = distances[~np.eye(len(vocabulary), dtype=bool)]
    np.testing.assert_allclose(off_diagonal, math.sqrt(2), rtol=1e-7)


def test_embedding_equals_onehot_times_w_for_the_course_lab_matrix():
    W = np.arange(40, dtype="float32").reshape(10, 4)
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1, weights=[W]))
    ids = np.array([[0], [3], [9], [3]])
    expected = np.eye(10)[ids[:, 0]] @ W.astype(np.float64)
    np.testing.assert_allclose(model.predict(ids, verbose=0)[:, 0], expected, atol=1e-6)


def test_embedding_equals_onehot_times_w_for_random_w_and_gradients_match():
    n, d = 50, 8
    W = np.random.default_rng(0).standard_normal((n, d)).astype("float32")
    layer = slides.Embedding(n, d, weights=[W])
    ids = tf.constant([[1, 7, 7], [49, 0, 1]])
    weights = tf.random.stateless_normal((2, 3, d), seed=(1, 2))
    with tf.GradientTape() as tape:
        outputs = layer(ids)
        loss = tf.reduce_sum(outputs * weights)
    gradient = tf.convert_to_tensor(tape.gradient(loss, layer.embeddings)).numpy()
    onehots = np.eye(n)[ids.numpy()]
    np.testing.assert_allclose(outputs.numpy(), onehots @ W.astype(np.float64), atol=1e-6)
    reference = np.einsum("bln,bld->nd", onehots, weights.numpy().astype(np.float64))
    np.testing.assert_allclose(gradient, reference, atol=1e-6)
    # one SGD step moves exactly the rows that were looked up
    before = layer.embeddings.numpy().copy()
    keras.optimizers.SGD(0.5).apply([tf.convert_to_tensor(gradient)], [layer.embeddings])
    moved = np.nonzero(np.any(layer.embeddings.numpy() != before, axis=1))[0]
    assert moved.tolist() == [0, 1, 7, 49]
    assert len(layer.trainable_weights) == 1 and layer.count_params() == n * d


def test_embedding_is_trained_by_backprop_in_fit():
    model = slides.Sequential([slides.Embedding(5, 3, input_length=1), slides.Flatten(), slides.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.layers[0].embeddings.numpy().copy()
    model.fit(np.array([[1], [2]]), np.array([1.0, -1.0]), epochs=2, verbose=0)
    moved = np.nonzero(np.any(model.layers[0].embeddings.numpy() != before, axis=1))[0]
    assert moved.tolist() == [1, 2]


def test_cosine_range_and_euclidean_norm_dependence():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 500, 16))
    cosines = cosine_similarity(x, y)
    reference = np.sum(x * y, -1) / (np.linalg.norm(x, axis=-1) * np.linalg.norm(y, axis=-1))
    np.testing.assert_allclose(cosines, reference, rtol=1e-12)
    assert np.all(cosines >= -1) and np.all(cosines <= 1)
    assert cosine_similarity(x[0], -3 * x[0]) == pytest.approx(-1)
    np.testing.assert_allclose(cosine_similarity(x, 7 * y), cosines, rtol=1e-12)
    np.testing.assert_allclose(euclidean_distance(x, y), np.linalg.norm(x - y, axis=-1), rtol=1e-12)
    assert not np.allclose(euclidean_distance(x, 7 * y), euclidean_distance(x, y))


@pytest.mark.parametrize("dim", [16, 256, 4096])
def test_random_pairs_have_cosine_mean_zero_and_spread_one_over_sqrt_d(dim):
    # a seeded initializer returns the same values on every call: one draw, split in two
    draw = keras.initializers.RandomUniform(-0.05, 0.05, seed=dim)
    first, second = np.split(np.asarray(draw((8000, dim))), 2)
    values = cosine_similarity(first, second)
    standard_error = values.std() / math.sqrt(values.size)
    assert abs(values.mean()) < 4 * standard_error
    assert values.std() * math.sqrt(dim) == pytest.approx(1, abs=0.05)


def test_unit_norm_identity():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((2, 1000, 32)).astype("float32")
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    gap = euclidean_distance(x, y) ** 2 - 2 * (1 - cosine_similarity(x, y))
    assert np.abs(gap).max() < 1e-5


@contextlib.contextmanager
def _no_warnings():
    """Fails if the code inside emits a UserWarning (Keras' deprecation notes are ones)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert not messages, f"the slide code warned: {messages}"
