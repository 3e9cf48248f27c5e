"""Bad ids fail inside the model's graph: eager, traced, fit and exported; and the layer is a drop-in for Keras'."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop import slides
from keras_workshop.embeddings import Embedding, IdsModel

RANGE = r"is out of range: expected ids in \[0, 10\)"
BAD_IDS = st.one_of(
    # 1.5, -0.5, 9.99: never truncated to a row (as float32, which Keras' data adapters convert to)
    st.floats(-20, 30).filter(lambda value: np.float32(value) != np.floor(np.float32(value))),
    st.integers(2**31, 2**62).map(np.int64),  # past int32: never wrapped to a row
    st.integers(-(2**62), -1).map(np.int64),
    st.integers(10, 2**31 - 1).map(np.int64),
)


def names(bad_id):
    """The error names the id and the range, in graph ("[42] [is ...") or eager ("42 is ...") form."""
    return rf"id\]? \[?{bad_id}\]? \[?{RANGE}"


def slide_model():
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1))
    return model


@pytest.mark.parametrize("bad_id", [10, 42, -1])
def test_bad_ids_fail_in_predict_and_eager_call(bad_id):
    model = slide_model()
    pattern = names(bad_id)
    with pytest.raises(tf.errors.InvalidArgumentError, match=pattern):
        model.predict(np.array([[3], [bad_id]]), verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=pattern):
        model(np.array([[bad_id]]))


def test_bad_ids_fail_in_fit():
    model = slide_model()
    model.compile(optimizer="sgd", loss="mse", jit_compile=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match=RANGE):
        model.fit(np.array([[1], [11]]), np.zeros((2, 1, 4)), verbose=0)


def test_validating_embedding_turns_xla_off():
    model = slide_model()
    with pytest.warns(UserWarning, match="doesn't support `jit_compile=True`"):
        model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    assert not model.jit_compile
    unchecked = slides.Embedding(10, 4, validate_ids=False)
    assert unchecked.supports_jit


def test_check_survives_export(tmp_path):
    model = slide_model()
    path = str(tmp_path / "export")
    model.export(path, format="tf_saved_model", verbose=False)
    served = tf.saved_model.load(path)
    good = served.serve(tf.constant([[3]], dtype=tf.int32))
    np.testing.assert_allclose(good.numpy(), model.predict(np.array([[3]]), verbose=0), rtol=1e-6)
    for bad_id in (42, -1):
        with pytest.raises(tf.errors.InvalidArgumentError, match=names(bad_id)):
            served.serve(tf.constant([[bad_id]], dtype=tf.int32))


def test_an_empty_batch_is_a_valid_input_in_graphs_and_exports(tmp_path):
    from keras_workshop.serving import export_for_serving

    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1))
    traced = tf.function(lambda ids: model(ids))
    assert traced(tf.zeros((0, 1), tf.int32)).shape == (0, 1, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"id.*\[12\].*expected ids in \[0, 10\)"):
        traced(tf.constant([[3], [12]]))
    served = tf.saved_model.load(export_for_serving(model, "lab", base_dir=str(tmp_path), output_name="vectors"))
    assert served.signatures["serving_default"](ids=tf.zeros((0, 1), tf.int32))["vectors"].shape == (0, 1, 4)
    assert served.signatures["embed"](ids=tf.zeros((0,), tf.int32))["vectors"].shape == (0, 4)
    answer = served.signatures["neighbours"](ids=tf.zeros((0,), tf.int32), k=tf.constant(3))
    assert answer["neighbour_ids"].shape == (0, 3)


def pair_of_layers(**kwargs):
    """Our Embedding and Keras' own, with the same weights."""
    ours, theirs = Embedding(10, 4, **kwargs), keras.layers.Embedding(10, 4, **kwargs)
    ours.build((None, 3))
    theirs.build((None, 3))
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def test_drop_in_for_ragged_and_sparse_ids():
    ours, theirs = pair_of_layers()
    ragged = tf.ragged.constant([[1, 2], [3], []])
    np.testing.assert_array_equal(ours(ragged).flat_values, theirs(ragged).flat_values)
    sparse = tf.sparse.from_dense(tf.constant([[1, 0, 3], [0, 9, 0]]))
    np.testing.assert_array_equal(ours(sparse), theirs(sparse))


@pytest.mark.parametrize("mode", ["int8", "int4"])
def test_drop_in_for_quantization_and_the_check_stays(mode, tmp_path):
    ours, theirs = pair_of_layers()
    ours.quantize(mode)
    theirs.quantize(mode)
    ids = np.array([[1, 2, 9]])
    np.testing.assert_array_equal(ours(ids), theirs(ids))
    with pytest.raises(tf.errors.InvalidArgumentError, match="id 10 is out of range"):
        ours(np.array([[1, 10]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.function(ours)(tf.constant([[-1, 2]]))
    model = keras.Sequential([keras.Input((3,), dtype="int32"), ours])
    model.save(tmp_path / "quantized.keras")
    loaded = keras.saving.load_model(tmp_path / "quantized.keras")
    np.testing.assert_array_equal(loaded(ids), ours(ids))


@pytest.mark.parametrize("mode", ["int8", "int4"])
def test_quantize_refuses_a_subclass_as_keras_does(mode):
    """Keras' own suite (test_quantize_on_subclass): a subclass's call may differ, so type_check refuses it."""

    class MyEmbedding(Embedding):
        pass

    layer = MyEmbedding(10, 16)
    layer.build()
    with pytest.raises(NotImplementedError, match="MyEmbedding does not have a `quantize` method"):
        layer.quantize(mode)
    layer.quantize(mode, type_check=False)  # no error
    model = keras.Sequential([keras.Input((2,), dtype="int32"), MyEmbedding(10, 4)])
    with pytest.warns(UserWarning, match="type_check=False"):  # Keras' model.quantize skips it, saying why
        model.quantize(mode)
    assert model.layers[0].dtype_policy.quantization_mode is None


def test_drop_in_for_lora_and_masking():
    ours, theirs = pair_of_layers(mask_zero=True)
    ours.enable_lora(2)
    theirs.enable_lora(2)
    theirs.set_weights(ours.get_weights())
    ids = np.array([[0, 2, 9]])
    np.testing.assert_array_equal(ours(ids), theirs(ids))
    np.testing.assert_array_equal(ours.compute_mask(ids), theirs.compute_mask(ids))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), max_size=4), min_size=1, max_size=4), st.integers(10, 2**31 - 1),
       st.booleans(), st.booleans())
def test_bad_ids_in_ragged_or_sparse_tensors_fail_like_dense_ones(rows, bad, negative, sparse):
    layer = Embedding(10, 4)
    rows = [list(row) for row in rows]
    rows[0] = rows[0] + [-1 if negative else bad]
    ids = tf.ragged.constant(rows, dtype=tf.int64)
    if sparse:
        ids = ids.to_sparse()
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"id {-1 if negative else bad} is out of range"):
        layer(ids)


@functools.cache
def functional_ids_model():
    ids = keras.Input((1,), dtype="int32")
    return IdsModel(ids, keras.layers.Embedding(10, 2)(ids))


@functools.cache
def slide_ids_model():
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=2, input_dim=10, input_length=1))
    return model


@settings(max_examples=15, deadline=None)
@given(BAD_IDS)
def test_a_slide_model_rejects_bad_ids_as_given_on_every_path(bad):
    model = slide_ids_model()
    assert_bad_id_rejected_on_every_path(model, np.array([[1], [bad]]), bad, np.zeros((2, 1, 2)))
    np.testing.assert_array_equal(model.predict(np.array([[3], [3.0]]), verbose=0)[0],
                                  model.predict(np.array([[3]]), verbose=0)[0])  # whole floats are ids


def assert_bad_id_rejected_on_every_path(model, ids, bad, targets):
    """`model` (ids in [0, 10)) refuses `ids`, which hold `bad`, eagerly, in predict, fit and tf.data.

    A model already compiled keeps its traced functions (hypothesis' examples can share one).
    """
    if not model.compiled:
        model.compile("sgd", "mse")
    shown = str(np.asarray(bad).item()) if isinstance(bad, np.int64) else None
    paths = {
        "eager": lambda: model(ids),
        "predict": lambda: model.predict(ids, verbose=0),
        "fit": lambda: model.fit(ids, targets, verbose=0),
        "tf.data": lambda: model.predict(tf.data.Dataset.from_tensor_slices(ids).batch(2), verbose=0),
    }
    for path, run in paths.items():
        with pytest.raises(tf.errors.InvalidArgumentError, match=RANGE) as raised:
            run()
        if shown is not None:
            assert shown in str(raised.value), path  # the value as given, not a wrapped one


@settings(max_examples=15, deadline=None)
@given(BAD_IDS)
def test_a_functional_ids_model_rejects_bad_ids_as_given_on_every_path(bad):
    model = functional_ids_model()
    assert_bad_id_rejected_on_every_path(model, np.array([[1], [bad]]), bad, np.zeros((2, 1, 2)))
    good = np.array([[3], [3.0]])
    np.testing.assert_array_equal(model.predict(good, verbose=0)[1], model.predict(np.array([[3]]), verbose=0)[0])


@pytest.mark.parametrize("bad", [1.4e-45, -1.4e-45, 1e-40])  # subnormal in float32, the data adapters' dtype
def test_subnormal_float_ids_are_not_read_as_row_0(bad):
    """TensorFlow's CPU kernels flush subnormal floats to 0; an id of 1e-45 is still not a whole number."""
    ids = keras.Input((1,), dtype="int32")
    model = IdsModel(ids, keras.layers.Embedding(10, 2)(ids))
    assert_bad_id_rejected_on_every_path(model, np.array([[1], [bad]]), bad, np.zeros((2, 1, 2)))
