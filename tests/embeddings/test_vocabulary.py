import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import example, given, settings
from hypothesis import strategies as st

from keras_workshop.embeddings import Vocabulary, onehot


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


def test_integer_symbols_look_up_on_the_host_and_in_graphs():
    vocabulary = Vocabulary([101, 7, 42], oov="token")
    np.testing.assert_array_equal(vocabulary.ids([42, 101, 5]), [3, 1, 0])
    for dtype in (tf.int32, tf.int64):
        np.testing.assert_array_equal(vocabulary.lookup(tf.constant([42, 101, 5], dtype)), [3, 1, 0])


def test_lookup_runs_inside_tf_data_and_shares_one_table():
    vocabulary = Vocabulary(["a", "b", "c"])
    dataset = tf.data.Dataset.from_tensor_slices(["c", "a"]).map(
        vocabulary.lookup, num_parallel_calls=tf.data.AUTOTUNE
    )
    assert [int(x) for x in dataset] == [2, 0]
    assert vocabulary.table is vocabulary.table  # made once, used by every pipeline and export


def test_unknown_symbols_fail_in_graphs_under_the_error_policy():
    vocabulary = Vocabulary(["a", "b", "c"])
    with pytest.raises(tf.errors.InvalidArgumentError, match="(?s)not in the vocabulary.*zebra"):
        vocabulary.lookup(tf.constant([["a", "zebra"]]))
    dataset = tf.data.Dataset.from_tensor_slices(["a", "zebra"]).map(vocabulary.lookup)
    with pytest.raises(tf.errors.InvalidArgumentError, match="zebra"):
        list(dataset)


@pytest.mark.parametrize("symbols, queries, oov", [
    (["tomato", "bread", "salad"], [["salad", "tomato"]], "error"),
    (["tomato", "bread"], [["pizza", "bread"]], "token"),
    ([101, 7, 42], [[42, 5]], "token"),
    ([101, 7, 42], [[7, 101]], "error"),
])
def test_the_graph_view_is_a_keras_lookup_layer_that_travels_in_a_keras_file(tmp_path, symbols, queries, oov):
    vocabulary = Vocabulary(symbols, oov=oov)
    dtype = "string" if isinstance(symbols[0], str) else "int64"
    model = keras.Sequential([keras.Input((2,), dtype=dtype), vocabulary.layer, keras.layers.Embedding(len(vocabulary), 3)])
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    inputs = tf.constant(queries)
    np.testing.assert_array_equal(loaded.layers[0](inputs), vocabulary.ids(queries))
    np.testing.assert_array_equal(loaded(inputs), model(inputs))
    assert isinstance(vocabulary.layer, keras.layers.StringLookup if dtype == "string" else keras.layers.IntegerLookup)
    assert type(loaded.layers[0]) is type(vocabulary.layer)  # reloaded as itself, with its own message


@pytest.mark.parametrize("symbols, bad, unknown", [(["a", "b"], ["a", "zebra"], "zebra"), ([3, 5, 7], [[3, 4]], "4")])
def test_the_lookup_layer_fails_on_unknown_symbols_naming_them_and_the_package_remedy(symbols, bad, unknown):
    """Eagerly and in a graph: the unknown symbols and `oov=token`, never Keras' `num_oov_indices` advice."""
    layer = Vocabulary(symbols).layer
    graph = tf.function(lambda x: layer(x), autograph=False)
    for call in (layer, graph):
        with pytest.raises(tf.errors.InvalidArgumentError) as error:
            call(tf.constant(bad))
        message = str(error.value)
        assert "Vocabulary.layer: symbol(s) not in the vocabulary" in message and unknown in message
        assert "oov=token" in message and "num_oov_indices" not in message


symbols = st.lists(st.text(max_size=6).filter(lambda s: not s.endswith("\x00")), min_size=1, max_size=30, unique=True)


@settings(max_examples=40, deadline=None)
@given(symbols, st.lists(st.text(max_size=6), max_size=20), st.sampled_from(["error", "token"]))
@example(["a\x00b", "a", "\x00a"], ["a\x00", "\x00", "a\x00b", "b"], "token")  # NUL inside a symbol: kept exact
@example(["a\x00b", "a", "\x00a"], ["a\x00", "\x00", "a\x00b", "b"], "error")
def test_host_and_graph_views_are_one_mapping(known, queries, oov):
    if oov == "token" and "[UNK]" in known:
        known = [s for s in known if s != "[UNK]"] or ["x"]
    vocabulary = Vocabulary(known, oov=oov)
    queries = queries + known[:3]
    expected = [vocabulary.symbols.index(q) if q in vocabulary.symbols else -1 for q in queries]
    np.testing.assert_array_equal(vocabulary.ids(queries, unknown=-1), expected)
    in_graph = expected if oov == "error" else np.maximum(expected, 0)  # oov="token": unknown -> the OOV id 0
    np.testing.assert_array_equal(vocabulary.table.lookup(tf.constant(queries, tf.string)), in_graph)
    if oov == "token":
        np.testing.assert_array_equal(vocabulary.lookup(tf.constant(queries, tf.string)), in_graph)
        np.testing.assert_array_equal(vocabulary.layer(tf.constant(queries, tf.string)), in_graph)
        np.testing.assert_array_equal(vocabulary.ids(queries), in_graph)
    np.testing.assert_array_equal(vocabulary.layer(tf.constant(known, tf.string)), vocabulary.ids(known))
    assert vocabulary.to_symbols(vocabulary.ids(known)).tolist() == known


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
        (["a", "[UNK]"], {"oov": "token"}, "oov_token '\\[UNK\\]' is also one of the symbols"),
    ],
)
def test_bad_vocabularies(symbols, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Vocabulary(symbols, **kwargs)


@given(symbols, st.text(max_size=4), st.integers(0, 30), st.sampled_from(["error", "token"]))
@example(["a"], "", 0, "error")  # the symbol "\x00" alone
@example(["0"], "0", 1, "token")  # "0" and "0\x00", which NumPy's strings would read as one
def test_a_symbol_ending_with_nul_is_an_error_naming_it(known, stem, position, oov):
    """NumPy's fixed-width strings, through which Keras' lookup layers read their vocabulary, drop trailing NULs."""
    cut = stem + "\x00"
    with pytest.raises(ValueError, match="end with a NUL character") as error:
        Vocabulary(known[:position] + [cut] + known[position:], oov=oov)
    assert repr(cut) in str(error.value)


def test_ids_with_an_unknown_id_override_the_oov_policy():
    vocabulary = Vocabulary(["tomato", "bread", "salad"])  # oov="error"
    np.testing.assert_array_equal(vocabulary.ids(["bread", "pizza", "salad"], unknown=-1), [1, -1, 2])
