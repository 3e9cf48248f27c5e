"""Recipes killed (SIGKILL) mid-training and started again with the same command end as if never killed."""

import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO
from tests.runtime.test_resume import scalars
from tests.test_recipes import check_options, run_recipe


def kill_after(arguments, out, training, epoch, timeout=600):
    """Starts a recipe and SIGKILLs it once `training` (a backup folder's name) has finished `epoch` epochs.

    Returns the epochs that training had finished when the kill landed.
    """
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.Popen([sys.executable, os.path.join(REPO, "recipes", arguments[0]), *arguments[1:]],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    state = os.path.join(out, "backup", training, "state.json")
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if os.path.exists(state) and json.load(open(state))["epoch"] >= epoch:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"the recipe was not killed mid-run: {errors[-3000:]}"
    return json.load(open(state))["epoch"]


def variables(export):
    """name -> value of every variable of a SavedModel."""
    loaded = tf.saved_model.load(str(export))
    return {variable.name: variable.numpy() for variable in loaded.variables}


def assert_same_variables(first, second):
    first, second = variables(first), variables(second)
    assert sorted(first) == sorted(second)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def test_movie_embeddings_killed_and_resumed(tmp_path):
    common = ["movie_embeddings.py", "--epochs", "12", "--seed", "3"]
    whole = run_recipe(*common, "--out", str(tmp_path / "whole"),
                       "--saved-models", str(tmp_path / "whole_saved"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    command = [*common, "--out", str(tmp_path / "cut"), "--saved-models", str(tmp_path / "cut_saved"), "--resume"]
    done = kill_after(command, str(tmp_path / "cut"), "skipgram", epoch=4)
    assert 4 <= done < 12
    resumed = run_recipe(*command)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"skipgram: {done} epochs done" in resumed.stdout  # it continued from the last finished epoch
    # Outputs: every epoch once, the same numbers.
    cut_lines = (tmp_path / "cut" / "neighbours.jsonl").read_text()
    assert cut_lines == (tmp_path / "whole" / "neighbours.jsonl").read_text()
    epochs = [json.loads(line)["epoch"] for line in cut_lines.splitlines()]
    assert epochs == sorted(set(epochs)) and epochs[0] == 0 and epochs[-1] == 12  # none twice, none missing
    logged = scalars(tmp_path / "cut" / "tensorboard")
    assert logged == scalars(tmp_path / "whole" / "tensorboard") and logged
    assert all([step for step, _ in values] == epochs for values in logged.values())
    summaries = [json.loads((tmp_path / run / "summary.json").read_text()) for run in ("whole", "cut")]
    for summary in summaries:
        summary.pop("settings"), summary.pop("export", None)  # the folders differ
    assert summaries[0] == summaries[1]
    assert_same_variables(tmp_path / "whole_saved" / "movie_embeddings" / "1",
                          tmp_path / "cut_saved" / "movie_embeddings" / "1")
    # Other options than the backups': refused before any work, naming what changed.
    other = check_options(*[("13" if argument == "12" else argument) for argument in command])
    assert other.returncode == 2 and "epochs: 12 then, 13 now" in other.stderr, other.stderr[-2000:]


def test_dropout_curves_killed_and_resumed(tmp_path):
    common = ["dropout_curves.py", "--epochs", "25"]
    whole = run_recipe(*common, "--out", str(tmp_path / "whole"),
                       "--saved-models", str(tmp_path / "whole_saved"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    command = [*common, "--out", str(tmp_path / "cut"), "--saved-models", str(tmp_path / "cut_saved"), "--resume"]
    done = kill_after(command, str(tmp_path / "cut"), "regularisers", epoch=4)  # in its second training
    resumed = run_recipe(*command)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "dropout_rates: 25 epochs done" in resumed.stdout and f"regularisers: {done} epochs done" in resumed.stdout
    for name in ("curves.json", "regularisers.json"):
        assert (tmp_path / "cut" / name).read_text() == (tmp_path / "whole" / name).read_text()
    exports = sorted(glob.glob(str(tmp_path / "whole_saved" / "*" / "1")))
    assert exports
    for export in exports:
        assert_same_variables(export, export.replace("whole_saved", "cut_saved"))


@pytest.mark.slow
def test_movie_ratings_killed_and_resumed(tmp_path):
    common = ["movie_ratings.py", "--folds", "2", "--epochs", "8", "--ensemble", "2", "--patience", "2",
              "--best-patience", "2"]
    whole = run_recipe(*common, "--out", str(tmp_path / "whole"),
                       "--saved-models", str(tmp_path / "whole_saved"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    command = [*common, "--out", str(tmp_path / "cut"), "--saved-models", str(tmp_path / "cut_saved"), "--resume"]
    done = kill_after(command, str(tmp_path / "cut"), "fold2_best_member0", epoch=2)
    resumed = run_recipe(*command)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"fold2_best_member0: {done} epochs done" in resumed.stdout
    results = [json.loads((tmp_path / run / "cross_validation.json").read_text()) for run in ("whole", "cut")]
    for report in results:
        for values in report.values():
            for fold in values:
                del fold["seconds"]
    assert results[0] == results[1]
    summaries = [json.loads((tmp_path / run / "summary.json").read_text()) for run in ("whole", "cut")]
    assert summaries[0]["cross-validation means"].keys() == summaries[1]["cross-validation means"].keys()
    assert_same_variables(tmp_path / "whole_saved" / "movie_ratings" / "1",
                          tmp_path / "cut_saved" / "movie_ratings" / "1")
