import numpy as np
import pytest
import tensorflow as tf

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
