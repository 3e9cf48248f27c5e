import numpy as np
import pytest
import tensorflow as tf
from hypothesis import example, given, settings
from hypothesis import strategies as st

from keras_workshop import cosine_similarity, euclidean_distance


def test_pairs_and_batches_broadcast_like_numpy():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((3,))
    np.testing.assert_allclose(euclidean_distance(x, y), np.linalg.norm(x - y, axis=1), rtol=1e-12)
    expected = x @ y / (np.linalg.norm(x, axis=1) * np.linalg.norm(y))
    np.testing.assert_allclose(cosine_similarity(x, y), expected, rtol=1e-12)


def test_tensors_in_tensors_out():
    x = tf.constant([[3.0, 4.0]])
    result = euclidean_distance(x, tf.zeros((1, 2)))
    assert tf.is_tensor(result) and result.numpy().tolist() == [5.0]


def test_zero_vector_has_cosine_zero():
    assert cosine_similarity([0.0, 0.0], [1.0, 2.0]) == 0


def test_mismatched_sizes_name_the_shapes():
    with pytest.raises(ValueError, match=r"got shapes \(2,\) and \(3,\)"):
        cosine_similarity([1.0, 2.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("function", [cosine_similarity, euclidean_distance])
@pytest.mark.parametrize("empty", [[], np.zeros((3, 0)), tf.zeros((2, 0))])
def test_vectors_of_size_zero_are_refused(function, empty):
    """No direction, no distance: an error naming the shapes, not TensorFlow's 'max of an empty tensor'."""
    with pytest.raises(ValueError, match=r"same size \(at least 1\)"):
        function(empty, empty)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    exponent_x=st.integers(-35, 35),
    exponent_y=st.integers(-35, 35),
    size=st.integers(1, 8),
)
@example(seed=474, exponent_x=0, exponent_y=-35, size=2)  # y = [1.4e-35, 9.8e-39]: a subnormal component
def test_tiny_and_huge_vectors_get_their_true_cosine_and_distance(seed, exponent_x, exponent_y, size):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(size) * 10.0**exponent_x).astype(np.float32)
    y = (rng.standard_normal(size) * 10.0**exponent_y).astype(np.float32)
    # float32 components below the smallest normal number count as 0 (TensorFlow flushes them on CPU)
    x64, y64 = (np.where(np.abs(v) < np.finfo(np.float32).tiny, 0, v).astype(np.float64) for v in (x, y))
    expected = x64 @ y64 / (np.linalg.norm(x64) * np.linalg.norm(y64))
    assert abs(float(cosine_similarity(x, y)) - expected) < 1e-5
    assert float(cosine_similarity(x, x)) == pytest.approx(1.0, abs=1e-6)  # 1e-30 with itself: 1, not 0
    distance = float(euclidean_distance(x, y))
    assert distance == pytest.approx(np.linalg.norm(x64 - y64), rel=1e-5)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5), st.sampled_from([np.nan, np.inf, -np.inf]), st.booleans())
def test_nan_or_inf_is_an_error_for_arrays_and_nan_for_tensors(position, bad, in_x):
    clean = np.linspace(1, 2, 6).astype(np.float32)
    dirty = clean.copy()
    dirty[position] = bad
    x, y = (dirty, clean) if in_x else (clean, dirty)
    for function in (cosine_similarity, euclidean_distance):
        with pytest.raises(ValueError, match=rf"NaN or inf in {'x' if in_x else 'y'} at \[\[{position}\]\]"):
            function(x, y)
    assert np.isnan(float(cosine_similarity(tf.constant(x), tf.constant(y))))
