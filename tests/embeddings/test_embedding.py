"""Bad ids fail inside the model's graph: eager, traced, fit and exported."""

import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import slides

RANGE = r"is out of range: expected ids in \[0, 10\)"


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
