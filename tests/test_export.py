"""Exports for TF Serving, proven through TensorFlow's C++ loader (keras_workshop.check_export)."""

import os
import random
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import Vocabulary, dropout_mlp, export_for_serving, nearest_neighbours, slides
from keras_workshop.export import write_samples
from tests.conftest import REPO

ENVIRONMENT = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)


def check_export(*paths):
    return subprocess.run(
        [sys.executable, "-m", "keras_workshop.check_export", *map(str, paths)],
        capture_output=True, text=True, env=ENVIRONMENT, timeout=300,
    )


def embedding_model():
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1))
    return model


def test_versions_names_and_model_config(tmp_path):
    model = dropout_mlp(8, (16,), 3, dropout_rate=0.5)
    first = export_for_serving(model, "mlp", base_dir=str(tmp_path), output_name="probabilities")
    second = export_for_serving(model, "mlp", base_dir=str(tmp_path), output_name="probabilities")
    assert first.endswith(os.path.join("mlp", "1")) and second.endswith(os.path.join("mlp", "2"))
    with pytest.raises(ValueError, match="exists; pass overwrite=True"):
        export_for_serving(model, "mlp", base_dir=str(tmp_path), version=2)
    export_for_serving(model, "mlp", base_dir=str(tmp_path), version=2, overwrite=True)
    served = tf.saved_model.load(first).signatures["serving_default"]
    assert list(served.structured_input_signature[1]) == ["features"]
    assert list(served.structured_outputs) == ["probabilities"]
    x = np.random.default_rng(0).standard_normal((5, 8)).astype("float32")
    outputs = served(features=tf.constant(x))["probabilities"].numpy()
    np.testing.assert_allclose(outputs, model.predict(x, verbose=0), rtol=1e-6)  # dropout inactive
    export_for_serving(embedding_model(), "lab", base_dir=str(tmp_path))
    config = (tmp_path / "models.config").read_text()
    assert config.count("config {") == 2
    assert f'base_path: "{tmp_path / "lab"}"' in config and 'model_platform: "tensorflow"' in config
    assert sorted(os.listdir(tmp_path / "mlp")) == ["1", "2"]  # no temporary folders left


def test_bad_arguments(tmp_path):
    model = dropout_mlp(8, (16,), 3)
    with pytest.raises(ValueError, match="plain folder name"):
        export_for_serving(model, "a/b", base_dir=str(tmp_path))
    unnamed = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="automatic name"):
        export_for_serving(unnamed, "m", base_dir=str(tmp_path))
    export_for_serving(unnamed, "m", base_dir=str(tmp_path), input_name="features")


def test_check_export_passes_through_the_cpp_loader(tmp_path):
    paths = [
        export_for_serving(dropout_mlp(8, (16,), 3, dropout_rate=0.5), "mlp", base_dir=str(tmp_path)),
        export_for_serving(embedding_model(), "lab", base_dir=str(tmp_path), output_name="vectors"),
    ]
    result = check_export(*paths)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for line in ("serving_default -> vectors: max difference 0.00e+00", "embed -> vectors", "neighbours -> neighbour_ids: max difference 0.00e+00"):
        assert line in result.stdout, result.stdout


def test_check_export_catches_exports_tf_serving_cannot_run(tmp_path):
    """Negative controls: both load in Python with tf.saved_model.load, both fail in C++."""
    model = dropout_mlp(4, (8,), 2)
    x = np.ones((2, 4), "float32")
    saved = str(tmp_path / "saved_model_save")
    tf.saved_model.save(model, saved)
    loaded = tf.saved_model.load(saved).signatures["serving_default"]
    (input_name,) = loaded.structured_input_signature[1]
    (output_name,) = loaded.structured_outputs
    write_samples(saved, "serving_default", {input_name: x}, {output_name: model.predict(x, verbose=0)})

    class PyFunction(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec((None, 4), tf.float32, name="features")])
        def serve(self, features):
            return {"squares": tf.py_function(lambda t: t * t, [features], tf.float32)}

    module = PyFunction()
    py_function = str(tmp_path / "py_function")
    tf.saved_model.save(module, py_function, signatures={"serving_default": module.serve})
    write_samples(py_function, "serving_default", {"features": x}, {"squares": x * x})
    for path in (saved, py_function):
        result = check_export(path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "FAIL" in result.stdout and "failed" in result.stdout, result.stdout


def test_symbol_signatures_through_the_cpp_loader(tmp_path):
    vocabulary = Vocabulary(["tomato", "bread", "salad", "cheese", "olive", "pasta"])
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=len(vocabulary), input_length=1))
    path = export_for_serving(model, "food", base_dir=str(tmp_path), output_name="vectors", vocabulary=vocabulary)
    result = check_export(path)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("neighbours_symbols -> neighbour_symbols: equal", "neighbours_symbols -> found: equal", "embed_symbols -> vectors"):
        assert line in result.stdout, result.stdout
    # In Python too: symbols in, symbols out, an explicit answer for an unknown symbol.
    served = tf.saved_model.load(path).signatures["neighbours_symbols"]
    answer = served(symbols=tf.constant(["salad", "pizza"]), k=tf.constant(2))
    ids, scores = nearest_neighbours(model.layers[0].embeddings.numpy(), 2, k=2)
    assert answer["neighbour_symbols"].numpy()[0].tolist() == [vocabulary.symbols[i].encode() for i in ids]
    np.testing.assert_allclose(answer["scores"].numpy()[0], scores, rtol=1e-5)
    assert answer["found"].numpy().tolist() == [True, False]
    assert answer["neighbour_symbols"].numpy()[1].tolist() == [b"[UNK]", b"[UNK]"]
    with pytest.raises(ValueError, match="6 symbols for an Embedding of input_dim 10"):
        export_for_serving(embedding_model(), "bad", base_dir=str(tmp_path), vocabulary=vocabulary)


RUN_IN_CPP = """
import sys, numpy as np
from keras_workshop.check_export import _Library
library = _Library()
session, graph, signatures = library.load(sys.argv[1])
for signature, feeds, output in [
    ("serving_default", {"ids": np.array([[3], [42]], np.int32)}, "vectors"),
    ("neighbours", {"ids": np.array([3, -1], np.int32), "k": np.int32(2)}, "scores"),
    ("neighbours", {"ids": np.array([3], np.int32), "k": np.int32(10)}, "scores"),
]:
    _, inputs, outputs = signatures[signature]
    try:
        library.run(session, graph, {inputs[key]: value for key, value in feeds.items()}, [outputs[output]])
        print(signature, "ACCEPTED")
    except RuntimeError as error:
        print(signature, "REJECTED", str(error).splitlines()[0])
assert "tensorflow" not in sys.modules
"""


def test_bad_ids_and_k_are_rejected_by_the_served_graph(tmp_path):
    path = export_for_serving(embedding_model(), "lab", base_dir=str(tmp_path), output_name="vectors")
    result = subprocess.run(
        [sys.executable, "-c", RUN_IN_CPP, path], capture_output=True, text=True, env=ENVIRONMENT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("REJECTED" in line for line in lines), result.stdout
    assert "[42]" in lines[0] and "expected ids in [0, 10)" in lines[0]
    assert "[-1]" in lines[1] and "expected ids in [0, 10)" in lines[1]
    assert "k must be in [1, 9]" in lines[2]


KILLED_EXPORTER = textwrap.dedent(
    """
    import sys
    from keras_workshop import dropout_mlp, export_for_serving
    model = dropout_mlp(64, (512, 512), 10)
    print("READY", flush=True)
    while True:
        export_for_serving(model, "mlp", base_dir=sys.argv[1])
    """
)


def kill_mid_export(base_dir, times):
    """Kills an exporting child with SIGKILL `times` times; every visible version stays complete."""
    rng = random.Random(0)
    for _ in range(times):
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_EXPORTER, str(base_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENVIRONMENT,
        )
        assert child.stdout.readline().strip() == "READY"
        try:
            child.wait(timeout=rng.uniform(0.2, 2.5))
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        for entry in os.listdir(base_dir / "mlp"):
            if entry.isdigit():  # what a TF Serving poller would pick up
                version = base_dir / "mlp" / entry
                assert (version / "saved_model.pb").exists(), entry
                assert (version / "assets.extra" / "keras_workshop_samples.json").exists(), entry
    final = export_for_serving(dropout_mlp(64, (512, 512), 10), "mlp", base_dir=str(base_dir))
    result = check_export(final)
    assert result.returncode == 0, result.stdout
    assert not [e for e in os.listdir(base_dir / "mlp") if e.startswith(".tmp-")]


def test_atomic_under_kill(tmp_path):
    kill_mid_export(tmp_path, times=3)


@pytest.mark.slow
def test_atomic_under_kill_20_times(tmp_path):
    kill_mid_export(tmp_path, times=20)
