"""TF Serving requests built from an export's signatures."""

import json

import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import Vocabulary, export_for_serving, slides
from keras_workshop.serving import grpc_request, rest_request


@pytest.fixture(scope="module")
def food_export(tmp_path_factory):
    vocabulary = Vocabulary(["tomato", "bread", "salad", "cheese", "olive", "pasta"])
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=len(vocabulary), input_length=1))
    base = tmp_path_factory.mktemp("saved_models")
    return export_for_serving(model, "food", base_dir=str(base), output_name="vectors", vocabulary=vocabulary)


def run_rest(export_dir, body):
    """What TF Serving does with a columnar REST body: tensors by name into the signature."""
    signature = tf.saved_model.load(export_dir).signatures[body["signature_name"]]
    specs = signature.structured_input_signature[1]
    return signature(**{name: tf.constant(value, dtype=specs[name].dtype) for name, value in body["inputs"].items()})


def test_columnar_rest_body_runs_the_signature(food_export):
    body = rest_request({"symbols": ["salad", "pizza"], "k": 2}, "neighbours_symbols", export_dir=food_export)
    assert json.loads(json.dumps(body)) == {
        "signature_name": "neighbours_symbols", "inputs": {"symbols": ["salad", "pizza"], "k": 2}
    }
    answer = run_rest(food_export, body)
    assert answer["found"].numpy().tolist() == [True, False]


def test_row_format():
    assert rest_request({"ids": [[3], [7]]}, rows=True) == {"signature_name": "serving_default", "instances": [[3], [7]]}
    body = rest_request({"a": [1, 2], "b": [[1.0], [2.0]]}, rows=True)
    assert body["instances"] == [{"a": 1, "b": [1.0]}, {"a": 2, "b": [2.0]}]
    with pytest.raises(ValueError, match="row format needs inputs with one batch size"):
        rest_request({"ids": [3], "k": 5}, "neighbours", rows=True)


def test_names_are_checked_against_the_export(food_export):
    with pytest.raises(ValueError, match=r"takes inputs \['ids', 'k'\], got \['ids'\]"):
        rest_request({"ids": [1]}, "neighbours", export_dir=food_export)
    with pytest.raises(ValueError, match="has no signature 'predict'"):
        grpc_request({"ids": [1]}, "food", "predict", export_dir=food_export)


def test_grpc_request(food_export):
    request = grpc_request(
        {"ids": np.array([1, 4], np.int32), "k": np.int32(3)}, "food", "neighbours", version=1, export_dir=food_export
    )
    assert request.model_spec.name == "food" and request.model_spec.signature_name == "neighbours"
    assert request.model_spec.version.value == 1
    ids = tf.make_ndarray(request.inputs["ids"])
    assert ids.dtype == np.int32 and ids.tolist() == [1, 4]
    served = tf.saved_model.load(food_export).signatures["neighbours"]
    answer = served(ids=tf.constant(ids), k=tf.constant(tf.make_ndarray(request.inputs["k"])))
    assert answer["neighbour_ids"].shape == (2, 3)
