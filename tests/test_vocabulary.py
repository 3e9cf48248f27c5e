import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import Vocabulary, onehot


def test_ids_onehot_and_back():
    vocabulary = Vocabulary(["tomato", "bread", "salad"])
    assert len(vocabulary) == 3
    np.testing.assert_array_equal(vocabulary.ids([["salad", "tomato"]]), [[2, 0]])
    np.testing.assert_array_equal(vocabulary.onehot(["bread", "salad"]), [[0, 1, 0], [0, 0, 1]])
    assert vocabulary.to_symbols([2, 0]).tolist() == ["salad", "tomato"]
    assert onehot("salad", vocabulary).dtype == np.float32


def test_unknown_symbols_error_names_them_with_close_matches():
    vocabulary = Vocabulary(["tomato", "bread", "salad"])
    with pytest.raises(ValueError, match=r"'salads' \(close: salad\)"):
        vocabulary.ids(["salads"])


def test_oov_token_policy_maps_unknown_symbols_to_zero():
    vocabulary = Vocabulary(["tomato", "bread"], oov="token")
    assert vocabulary.symbols == ["[UNK]", "tomato", "bread"]
    np.testing.assert_array_equal(vocabulary.ids(["bread", "pizza"]), [2, 0])
    np.testing.assert_array_equal(vocabulary.onehot("pizza"), [1, 0, 0])


def test_integer_symbols_use_integer_lookup():
    vocabulary = Vocabulary([101, 7, 42], oov="token")
    assert isinstance(vocabulary.lookup, keras.layers.IntegerLookup)
    np.testing.assert_array_equal(vocabulary.ids([42, 101, 5]), [3, 1, 0])


def test_lookup_layer_runs_inside_tf_data():
    vocabulary = Vocabulary(["a", "b", "c"])
    dataset = tf.data.Dataset.from_tensor_slices(["c", "a"]).map(
        vocabulary.lookup, num_parallel_calls=tf.data.AUTOTUNE
    )
    assert [int(x) for x in dataset] == [2, 0]


def test_from_tokens_orders_by_frequency_and_drops_rare():
    vocabulary = Vocabulary.from_tokens("b a b c b a".split(), min_count=2)
    assert vocabulary.symbols == ["b", "a"]
    assert vocabulary.counts.tolist() == [3, 2]


@pytest.mark.parametrize(
    "symbols, kwargs, message",
    [
        ([], {}, "no symbols"),
        (["a", "a"], {}, r"duplicate symbols \['a'\]"),
        (["a", 1], {}, "all strings or all integers"),
        (["a"], {"oov": "skip"}, "oov must be one of"),
    ],
)
def test_bad_vocabularies(symbols, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Vocabulary(symbols, **kwargs)


def test_ids_with_an_unknown_id_override_the_oov_policy():
    vocabulary = Vocabulary(["tomato", "bread", "salad"])  # oov="error"
    np.testing.assert_array_equal(vocabulary.ids(["bread", "pizza", "salad"], unknown=-1), [1, -1, 2])
