"""MirroredStrategy over two logical CPUs and MultiWorkerMirroredStrategy over two processes train
the same weights as one device (dropout off), with `model.fit` on the package's models; a killed peer is a
clear error."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from keras_workshop import runtime
from tests.conftest import REPO
from tests.test_recipes import run_in_process

WORKER = os.path.join(REPO, "tests", "runtime", "train_worker.py")
MODELS = ("mlp", "slide", "skipgram")


def start_worker(model, strategy, out, index=None, ports=(), epochs=None):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    if index is not None:
        environment["TF_CONFIG"] = json.dumps({
            "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]}, "task": {"type": "worker", "index": index},
        })
    command = [sys.executable, WORKER, model, strategy, str(out)] + ([str(epochs)] if epochs else [])
    return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process, timeout=300):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output[-4000:]
    return output


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for item in sockets:
        item.bind(("127.0.0.1", 0))
    ports = [item.getsockname()[1] for item in sockets]
    for item in sockets:
        item.close()
    return ports


def assert_same_weights(expected, actual):
    assert sorted(expected.files) == sorted(actual.files)
    for name in expected.files:
        np.testing.assert_allclose(actual[name], expected[name], rtol=0, atol=1e-6, err_msg=name)
    assert any(np.abs(expected[name]).max() > 0.1 for name in expected.files)  # it trained


@pytest.fixture(scope="module")
def one_device(tmp_path_factory):
    out = tmp_path_factory.mktemp("one_device") / "weights.npz"
    finish(start_worker("all", "none", out))
    return np.load(out)


def test_mirrored_over_two_cpus_equals_one_device(one_device, tmp_path):
    output = finish(start_worker("all", "mirrored", tmp_path / "weights.npz"))
    assert "replicas 2" in output
    weights = np.load(tmp_path / "weights.npz")
    for model in MODELS:  # the dropout MLP, the slide Embedding model, the skip-gram model
        assert any(name.startswith(model) for name in weights.files)
    assert_same_weights(one_device, weights)


def test_two_workers_equal_one_process(one_device, tmp_path):
    """Fails without `runtime.DistributedTrainer`'s fix of keras-team/keras#20585 and #20329 (fit raises)."""
    ports = free_ports(2)
    workers = [start_worker("all", "multiworker", tmp_path / f"weights_{i}.npz", i, ports) for i in range(2)]
    outputs = [finish(worker) for worker in workers]
    assert "replicas 2, chief True" in outputs[0] and "replicas 2, chief False" in outputs[1]
    assert not (tmp_path / "weights_1.npz").exists()  # only the chief writes results
    assert_same_weights(one_device, np.load(tmp_path / "weights_0.npz"))


def test_a_killed_peer_is_a_clear_error(tmp_path):
    ports = free_ports(2)
    workers = [start_worker("mlp", "multiworker", tmp_path / f"w{i}.npz", i, ports, epochs=1000) for i in range(2)]
    survivor, victim = workers
    lines = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # wait until training runs
        line = survivor.stdout.readline()
        lines.append(line)
        if "epoch 2 done" in line or not line:
            break
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = time.monotonic()
    output, _ = survivor.communicate(timeout=120)
    assert survivor.returncode != 0
    assert time.monotonic() - killed_at < 60
    assert "WorkerLostError: Another worker of the cluster stopped" in output, "".join(lines) + output[-3000:]


def test_the_fixed_models_are_keras_models_that_save_and_load(tmp_path):
    strategy = runtime.make_strategy("mirrored", "cpu")
    with strategy.scope():
        model = runtime.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
    model.fit(np.ones((8, 2)), np.ones(8), epochs=1, verbose=0)
    assert isinstance(model, keras.Sequential) and isinstance(model, runtime.DistributedTrainer)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert type(loaded) is runtime.Sequential
    np.testing.assert_array_equal(loaded.predict(np.ones((2, 2)), verbose=0), model.predict(np.ones((2, 2)), verbose=0))


def run_recipe(name, *args, tf_config=None):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    if tf_config is not None:
        environment["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen([sys.executable, os.path.join(REPO, "recipes", name), *args], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def exported_variables(path):
    import tensorflow as tf

    return {variable.name: variable.numpy() for variable in tf.saved_model.load(str(path)).variables}


def test_a_recipe_on_two_workers_equals_one_process(tmp_path):
    """movie_embeddings (skip-gram, SGD, no dropout) with --strategy multiworker on two processes."""
    common = ["--epochs", "1", "--batches-per-step", "1", "--min-ratings", "50"]
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    workers = [run_recipe("movie_embeddings.py", *common, "--strategy", "multiworker", "--out", str(tmp_path / "out"),
                          "--saved-models", str(tmp_path / "models"),
                          tf_config={"cluster": cluster, "task": {"type": "worker", "index": index}})
               for index in range(2)]
    single = run_in_process("movie_embeddings.py", *common, "--out", str(tmp_path / "single"),
                            "--saved-models", str(tmp_path / "single_models"))  # while the workers run
    assert single.returncode == 0, single.stdout[-3000:] + single.stderr[-3000:]
    chief, other = (finish(worker) for worker in workers)
    assert "strategy: multiworker (" in chief and "replicas: 2; global batch: 2048 (1024 per replica)" in chief
    assert "worker 0 (chief)" in chief and "worker 1" in other
    # Only the chief's results: one version, and the other worker's scratch folder is gone.
    assert sorted(os.listdir(tmp_path / "models" / "movie_embeddings")) == ["1"]
    scratch = re.search(r"\S*keras_workshop_worker_[^/\s]+", other)
    assert scratch and not os.path.exists(scratch.group(0)), other[-2000:]
    expected = exported_variables(tmp_path / "single_models" / "movie_embeddings" / "1")
    actual = exported_variables(tmp_path / "models" / "movie_embeddings" / "1")
    assert sorted(expected) == sorted(actual)
    for name in expected:
        np.testing.assert_allclose(actual[name], expected[name], rtol=0, atol=1e-6, err_msg=name)
