"""Devices, strategies, TF_CONFIG and the shared recipe options, in this process (TensorFlow already started)."""

import argparse
import json
import os

import pytest
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from keras_workshop.runtime import (
    add_runtime_arguments,
    check_output_folder,
    cluster_spec,
    is_chief,
    make_strategy,
    select_device,
    start_runtime,
)

NO_GPU = not tf.config.list_physical_devices("GPU")


@pytest.mark.skipif(not NO_GPU, reason="this machine has a GPU")
def test_gpu_without_a_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="--device gpu: TensorFlow sees no GPU.*--device cpu"):
        select_device("gpu")


def test_auto_says_what_it_chose():
    assert select_device("auto") == ("cpu" if NO_GPU else "gpu")


@pytest.mark.parametrize("device", ["GPU", "tpu", "", None, 0])
def test_unknown_device(device):
    with pytest.raises(ValueError, match="device must be one of"):
        select_device(device)


def test_devices_cannot_change_once_tensorflow_runs():
    tf.constant(1.0) + 1  # TensorFlow has started
    with pytest.raises(RuntimeError, match="choose the device before any TensorFlow op runs"):
        select_device("cpu", cpu_replicas=3)


@pytest.mark.parametrize("name", ["Mirrored", "tpu", "", "one_device"])
def test_unknown_strategy(name):
    with pytest.raises(ValueError, match="strategy must be one of"):
        make_strategy(name)


def test_one_device_strategy_and_chief():
    strategy = make_strategy("none", "cpu")
    assert strategy.num_replicas_in_sync == 1 and is_chief(strategy)


@settings(max_examples=80, deadline=None)
@given(st.one_of(
    st.text(),
    st.builds(json.dumps, st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                                       lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner))),
    st.builds(lambda workers, kind, index: json.dumps({"cluster": {"worker": workers}, "task": {"type": kind, "index": index}}),
              st.lists(st.text(max_size=12), max_size=3), st.sampled_from(["worker", "chief", "ps", ""]),
              st.one_of(st.integers(-2, 4), st.text(max_size=2))),
))
def test_malformed_tf_config_is_a_clear_error(text):
    assume("\x00" not in text and text.encode("utf-8", "replace").decode() == text)  # what an environment can hold
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TF_CONFIG", text)
        try:
            config = cluster_spec()
        except ValueError as error:
            assert "TF_CONFIG" in str(error) or "multiworker" in str(error)
            return
    workers = config["cluster"]["worker"]  # accepted: then it is a real cluster description
    assert all(":" in address for address in workers)
    assert 0 <= config["task"]["index"] < len(config["cluster"][config["task"]["type"]])


def test_missing_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs the cluster in the TF_CONFIG environment variable"):
        cluster_spec()


def test_start_runtime_prints_what_it_set_up(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_runtime_arguments(parser, out=str(tmp_path / "out"))
    runtime = start_runtime(parser.parse_args(["--device", "auto"]), parser, global_batch=256)
    line = capsys.readouterr().out
    assert f"device: {runtime.device}" in line and "strategy: none" in line and "replicas: 1" in line
    assert "global batch: 256 (256 per replica)" in line and "precision: float32" in line
    assert runtime.is_chief and runtime.out == str(tmp_path / "out") and (tmp_path / "out").is_dir()


@pytest.mark.parametrize("option", ["--out", "--saved-models"])
def test_start_runtime_refuses_a_file_as_output_folder(tmp_path, option):
    parser = argparse.ArgumentParser()
    add_runtime_arguments(parser, out=str(tmp_path / "out"))
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit) as stopped:
        start_runtime(parser.parse_args([option, str(tmp_path / "file")]), parser)
    assert stopped.value.code == 2


@pytest.mark.parametrize("args", [["--device", "tpu"], ["--strategy", "ps"], ["--replicas", "0"], ["--seed", "-1"]])
def test_bad_runtime_options_exit_2(args):
    parser = argparse.ArgumentParser()
    add_runtime_arguments(parser, out="unused")
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(args)
    assert stopped.value.code == 2


@pytest.mark.parametrize("args", [["--replicas", "3"], ["--replicas", "2", "--strategy", "none"],
                                  ["--replicas", "4", "--strategy", "multiworker"]])
def test_replicas_without_the_mirrored_strategy_is_refused(tmp_path, args, capsys):
    """--replicas only means something to --strategy mirrored on the CPU: anywhere else it would be ignored."""
    parser = argparse.ArgumentParser()
    add_runtime_arguments(parser, out=str(tmp_path / "out"))
    with pytest.raises(SystemExit) as stopped:
        start_runtime(parser.parse_args(args), parser)
    assert stopped.value.code == 2
    assert f"--replicas {args[1]} sets the CPU devices of --strategy mirrored" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def read_only_folder(tmp_path):
    """A folder this process cannot write: permission bits for a user, sysfs for root (which ignores the bits)."""
    if os.geteuid() == 0:
        return "/sys"
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    return str(folder)


@pytest.mark.parametrize("option", ["--out", "--saved-models"])
def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path, option, capsys):
    parser = argparse.ArgumentParser()
    add_runtime_arguments(parser, out=str(tmp_path / "out"))
    target = os.path.join(read_only_folder(tmp_path), "outputs")
    with pytest.raises(SystemExit) as stopped:
        start_runtime(parser.parse_args([option, target, "--saved-models", str(tmp_path / "saved")]
                                        if option == "--out" else [option, target]), parser)
    assert stopped.value.code == 2
    assert f"{target!r} cannot be written" in capsys.readouterr().err
    with pytest.raises(ValueError, match="cannot be written"):
        check_output_folder(read_only_folder(tmp_path))
    check_output_folder(str(tmp_path / "new" / "deeper"))  # can be made: no error, and nothing is left
    assert sorted(os.listdir(tmp_path)) in (["read_only"], [])
