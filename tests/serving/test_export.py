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
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop import slides
from keras_workshop.dropout import dropout_mlp
from keras_workshop.embeddings import Vocabulary, nearest_neighbours
from keras_workshop.serving import export_for_serving, write_samples
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
    model = dropout_mlp(8, (16,), 3, rate=0.5)
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
    for name in ("a/b", 'x"y', "..", ".hidden", "", "a:b"):
        with pytest.raises(ValueError, match="is not allowed"):
            export_for_serving(model, name, base_dir=str(tmp_path))
    assert os.listdir(tmp_path) == []  # refused before anything was written
    unnamed = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="automatic name"):
        export_for_serving(unnamed, "m", base_dir=str(tmp_path))
    export_for_serving(unnamed, "m", base_dir=str(tmp_path), input_name="features")


def test_check_export_passes_through_the_cpp_loader(tmp_path):
    paths = [
        export_for_serving(dropout_mlp(8, (16,), 3, rate=0.5), "mlp", base_dir=str(tmp_path)),
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
from keras_workshop.serving import ServedModel
served = ServedModel(sys.argv[1])
for signature, feeds, output in [
    ("serving_default", {"ids": np.array([[3], [42]], np.int32)}, "vectors"),
    ("neighbours", {"ids": np.array([3, -1], np.int32), "k": np.int32(2)}, "scores"),
    ("neighbours", {"ids": np.array([3], np.int32), "k": np.int32(10)}, "scores"),
]:
    try:
        served.run(signature, feeds, [output])
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


@pytest.fixture(scope="module")
def served_mlp(tmp_path_factory):
    path = export_for_serving(dropout_mlp(4, (8,), 3, rate=0.5), "mlp",
                              base_dir=str(tmp_path_factory.mktemp("mlp")), output_name="probabilities")
    return tf.saved_model.load(path).signatures["serving_default"]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 4), st.integers(0, 3), st.sampled_from([np.nan, np.inf, -np.inf]))
def test_served_features_with_nan_or_inf_are_refused(served_mlp, rows, column, bad):
    features = np.ones((rows + 1, 4), dtype="float32")
    features[rows, column] = bad
    with pytest.raises(tf.errors.InvalidArgumentError, match="input 'features' has NaN or inf values"):
        served_mlp(features=tf.constant(features))
    probabilities = served_mlp(features=tf.constant(np.ones((2, 4), "float32")))["probabilities"].numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)  # finite features still answer
    assert served_mlp(features=tf.zeros((0, 4)))["probabilities"].shape == (0, 3)  # the empty batch too


KILLED_EXPORTER = textwrap.dedent(
    """
    import sys
    from keras_workshop.dropout import dropout_mlp
    from keras_workshop.serving import export_for_serving
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


CONCURRENT_EXPORTER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import keras
    from keras_workshop.dropout import dropout_mlp
    from keras_workshop.serving import export_for_serving
    keras.utils.set_random_seed(int(sys.argv[2]))
    model = dropout_mlp(8, (16,), 3)
    x = np.linspace(-1, 1, 16, dtype="float32").reshape(2, 8)
    print("READY", flush=True)
    sys.stdin.readline()  # all start exporting at once
    path = export_for_serving(model, "mlp", base_dir=sys.argv[1], output_name="probabilities")
    print(json.dumps({"path": path, "outputs": model.predict(x, verbose=0).tolist()}))
    """
)


def test_concurrent_exports_each_get_their_own_version_with_their_own_weights(tmp_path):
    import json

    children = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_EXPORTER, str(tmp_path), str(seed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENVIRONMENT,
        )
        for seed in range(3)
    ]
    for child in children:
        assert child.stdout.readline().strip() == "READY"
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(os.path.basename(r["path"]) for r in results) == ["1", "2", "3"]
    x = np.linspace(-1, 1, 16, dtype="float32").reshape(2, 8)
    for result in results:
        served = tf.saved_model.load(result["path"]).signatures["serving_default"]
        np.testing.assert_allclose(served(features=tf.constant(x))["probabilities"].numpy(), result["outputs"], rtol=1e-6)
    assert len({json.dumps(r["outputs"]) for r in results}) == 3  # three different models
    assert sorted(os.listdir(tmp_path / "mlp")) == ["1", "2", "3"]


HOLD_LOCK = textwrap.dedent(
    """
    import fcntl, os, sys, time
    descriptor = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    print("LOCKED", flush=True)
    time.sleep(120)
    """
)


def test_staging_folders_are_removed_exactly_when_their_writer_is_gone(tmp_path):
    model_dir = tmp_path / "mlp"
    for name in ("killed", "no_lock", "alive"):
        os.makedirs(model_dir / f".tmp-{name}" / "variables")
    (model_dir / ".tmp-killed.lock").touch()  # its writer died: nobody holds the lock
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(model_dir / ".tmp-alive.lock")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        export_for_serving(dropout_mlp(8, (16,), 3), "mlp", base_dir=str(tmp_path))
        assert sorted(os.listdir(model_dir)) == [".tmp-alive", ".tmp-alive.lock", "1"]
    finally:
        holder.kill()
        holder.wait()
    export_for_serving(dropout_mlp(8, (16,), 3), "mlp", base_dir=str(tmp_path))
    assert sorted(os.listdir(model_dir)) == ["1", "2"]


FOODS = ["tomato", "bread", "salad", "cheese", "olive", "pasta"]


@pytest.fixture(scope="module")
def food_export(tmp_path_factory):
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=len(FOODS), input_length=1))
    path = export_for_serving(model, "food", base_dir=str(tmp_path_factory.mktemp("food")), output_name="vectors",
                              vocabulary=Vocabulary(FOODS))
    return tf.saved_model.load(path).signatures, model.layers[0].embeddings.numpy()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 5), st.integers(-(2**31), 2**31 - 1)), max_size=5),
       st.one_of(st.integers(1, 5), st.integers(-(2**31), 2**31 - 1)))
def test_served_id_signatures_answer_exactly_or_refuse(food_export, ids, k):
    """embed, serving_default and neighbours: the NumPy answer for good ids and k, an error naming the bad one."""
    signatures, table = food_export
    good_ids, good_k = all(0 <= i < len(FOODS) for i in ids), 1 <= k < len(FOODS)
    column = tf.constant(ids, tf.int32, shape=(len(ids),))
    calls = {
        "embed": lambda: signatures["embed"](ids=column)["vectors"].numpy(),
        "serving_default": lambda: signatures["serving_default"](ids=column[:, None])["vectors"].numpy()[:, 0],
    }
    for name, call in calls.items():
        if good_ids:
            np.testing.assert_array_equal(call(), table[ids].reshape(len(ids), 4), err_msg=name)  # [] included
        else:
            bad = next(i for i in ids if not 0 <= i < len(FOODS))
            with pytest.raises(tf.errors.InvalidArgumentError, match=rf"{bad}\]? \[?is out of range"):
                call()
    if good_ids and good_k:
        answer = signatures["neighbours"](ids=column, k=tf.constant(k))
        expected_ids, expected_scores = nearest_neighbours(table, np.array(ids, int), k)
        np.testing.assert_array_equal(answer["neighbour_ids"].numpy(), expected_ids.reshape(len(ids), k))
        np.testing.assert_allclose(answer["scores"].numpy(), expected_scores.reshape(len(ids), k), atol=1e-5)
    else:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"out of range|k must be in \[1, 5\]"):
            signatures["neighbours"](ids=column, k=tf.constant(k))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FOODS), st.text(max_size=8)), max_size=5), st.integers(1, 5))
def test_served_symbol_signatures_answer_any_text(food_export, symbols, k):
    """Unicode, empty strings, duplicates, unknown symbols: never an error, `found = false` for unknown ones."""
    signatures, table = food_export
    known = np.array([symbol in FOODS for symbol in symbols], dtype=bool)
    text = tf.constant(symbols, tf.string, shape=(len(symbols),))
    embedded = signatures["embed_symbols"](symbols=text)
    np.testing.assert_array_equal(embedded["found"].numpy(), known)
    expected = np.array([table[FOODS.index(s)] if s in FOODS else np.zeros(4) for s in symbols]).reshape(-1, 4)
    np.testing.assert_array_equal(embedded["vectors"].numpy(), expected)
    near = signatures["neighbours_symbols"](symbols=text, k=tf.constant(k))
    np.testing.assert_array_equal(near["found"].numpy(), known)
    names = near["neighbour_symbols"].numpy().astype(str).reshape(len(symbols), k)
    for symbol, row, scores in zip(symbols, names, near["scores"].numpy().reshape(len(symbols), k)):
        if symbol in FOODS:
            ids, _ = nearest_neighbours(table, FOODS.index(symbol), k)
            assert row.tolist() == [FOODS[i] for i in np.ravel(ids)] and symbol not in row
        else:
            assert row.tolist() == ["[UNK]"] * k and not scores.any()


@pytest.mark.parametrize("ids", [np.array([[2**32 + 3]]), np.array([[1.5]]), np.array([[3]], np.uint8)])
def test_the_cpp_client_refuses_ids_of_another_dtype(tmp_path, ids):
    """`ServedModel` (TF Serving's loader) never casts: 2**32 + 3 is not read as id 3, nor 1.5 as 1."""
    from keras_workshop.serving import ServedModel

    path = export_for_serving(embedding_model(), "lab", base_dir=str(tmp_path), output_name="vectors")
    with pytest.raises((RuntimeError, ValueError), match="int32"):
        ServedModel(path).run("serving_default", {"ids": ids})


def test_served_model_frees_every_c_object_it_allocates(tmp_path, monkeypatch):
    """Each TF_New* / TF_Allocate* / TF_LoadSession* of the loader is matched by its delete, on success and error."""
    from keras_workshop.serving import ServedModel, TensorFlowCAPI

    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1))
    path = export_for_serving(model, "lab", str(tmp_path), output_name="vectors", vocabulary=Vocabulary(list("abcdefghij")))
    library = TensorFlowCAPI.shared()
    live = {}
    pairs = {"NewStatus": "DeleteStatus", "NewGraph": "DeleteGraph", "NewBuffer": "DeleteBuffer",
             "NewSessionOptions": "DeleteSessionOptions", "LoadSessionFromSavedModel": "DeleteSession",
             "AllocateTensor": "DeleteTensor"}

    def counted(name, delta):
        function = getattr(library, name)

        def call(*args):
            result = function(*args)
            live[pairs.get(name, name)] = live.get(pairs.get(name, name), 0) + delta
            return result
        monkeypatch.setattr(library, name, call)

    for new, delete in pairs.items():
        counted(new, 1)
        counted(delete, -1)
    with ServedModel(path) as served:
        served.run("neighbours_symbols", {"symbols": np.array(["a", "zz"], dtype=object), "k": np.int32(3)})
        with pytest.raises(RuntimeError, match="out of range"):
            served.run("serving_default", {"ids": np.array([[10]], np.int32)})  # the graph's own error
        with pytest.raises(ValueError, match="cannot send an input of dtype"):
            served.run("serving_default", {"ids": np.array([[1]], np.uint16)})
    # The outputs fetched are tensors the session allocates: their deletes count below zero.
    assert {name: count for name, count in live.items() if name != "DeleteTensor"} == {
        "DeleteStatus": 0, "DeleteGraph": 0, "DeleteBuffer": 0, "DeleteSessionOptions": 0, "DeleteSession": 0}
    with pytest.raises(RuntimeError, match="is closed"):
        served.run("serving_default", {"ids": np.array([[1]], np.int32)})
    served.close()  # twice: nothing happens
    with pytest.raises(RuntimeError, match="Could not find SavedModel"):
        ServedModel(str(tmp_path / "missing"))
    assert live["DeleteGraph"] == 0 and live["DeleteStatus"] == 0  # a failed load frees its graph too


@pytest.mark.parametrize("features, message", [
    (np.ones((2, 5), "float32"), r"input `features` must be a \(batch, 4\) tensor of float32, got a tensor of shape\W+2 5\]"),
    (np.ones(4, "float32"), r"input `features` must be a \(batch, 4\) tensor of float32, got a tensor of shape\W+4\]"),
    (np.ones((1, 2, 4), "float32"), r"got a tensor of shape\W+1 2 4\]"),
])
def test_every_export_checks_the_form_of_its_inputs_where_tf_serving_feeds_them(tmp_path, features, message):
    """TF Serving and the C++ loader feed any shape: the default signature names the input and its form."""
    from keras_workshop.serving import ServedModel

    path = export_for_serving(dropout_mlp(4, (8,), 3, rate=0.5), "mlp", base_dir=str(tmp_path),
                              output_name="probabilities")
    with ServedModel(path) as served:
        assert served.run("serving_default", {"features": np.ones((3, 4), "float32")})["probabilities"].shape == (3, 3)
        with pytest.raises(RuntimeError, match=message):
            served.run("serving_default", {"features": features})
