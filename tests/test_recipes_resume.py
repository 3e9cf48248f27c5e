"""Recipes killed (SIGKILL) mid-training and started again with the same command end as if never killed."""

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
from tests.test_recipes import SHORT_RUNS, check_options, run_recipe, short_run
from tests.test_recipes_determinism import assert_same_export, exports, results


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


def assert_same_outputs(whole, cut):
    """The determinism test's comparison of two runs' `(out, saved_models)`: every output, every export."""
    assert results(whole[0]) and results(whole[0]) == results(cut[0])
    assert exports(whole[1]) and exports(whole[1]) == exports(cut[1])
    for export in exports(whole[1]):
        assert_same_export(whole[1] / export, cut[1] / export)


def killed_and_resumed(tmp_path, recipe, training, epoch):
    """Runs `recipe` with its short-run options and `--resume`, SIGKILLs it after `training`'s `epoch`, runs it again.

    Returns `(resumed run, epochs done at the kill, (out, saved_models), command)`.
    """
    cut = (tmp_path / "cut", tmp_path / "cut_saved")
    command = [recipe, *SHORT_RUNS[recipe], "--out", str(cut[0]), "--saved-models", str(cut[1]), "--resume"]
    done = kill_after(command, str(cut[0]), training, epoch)
    resumed = run_recipe(*command)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{training}: {done} epoch{'s' * (done != 1)} done" in resumed.stdout  # it continued from there
    return resumed, done, cut, command


def test_movie_embeddings_killed_and_resumed(tmp_path, tmp_path_factory):
    """Killed mid-training and run again, it ends as the uninterrupted short run ends.

    The resumed run is also the recipe's second run with the same seed: it ends with the
    same outputs and exports (the determinism test's comparison) as the first.
    """
    _, *whole = short_run(tmp_path_factory, "movie_embeddings.py")  # 3 epochs
    _, done, cut, command = killed_and_resumed(tmp_path, "movie_embeddings.py", "skipgram", epoch=1)
    assert 1 <= done < 3
    # Outputs: every epoch once, the same numbers.
    cut_lines = (cut[0] / "neighbours.jsonl").read_text()
    assert cut_lines == (whole[0] / "neighbours.jsonl").read_text()
    epochs = [json.loads(line)["epoch"] for line in cut_lines.splitlines()]
    assert epochs == [0, 1, 2, 3]  # none twice, none missing
    logged = scalars(cut[0] / "tensorboard")
    assert logged == scalars(whole[0] / "tensorboard") and logged
    assert all([step for step, _ in values] == epochs for values in logged.values())
    assert_same_outputs(whole, cut)
    # Other options than the backups': refused before any work, naming what changed.
    other = check_options(*[("4" if argument == "3" else argument) for argument in command])
    assert other.returncode == 2 and "epochs: 3 then, 4 now" in other.stderr, other.stderr[-2000:]


def test_dropout_curves_killed_and_resumed(tmp_path, tmp_path_factory):
    """As above, killed in the second of the recipe's two trainings (the first ends at once when resumed)."""
    _, *whole = short_run(tmp_path_factory, "dropout_curves.py")  # 12 epochs
    resumed, done, cut, _ = killed_and_resumed(tmp_path, "dropout_curves.py", "regularisers", epoch=4)
    assert "dropout_rates: 12 epochs done" in resumed.stdout and 4 <= done < 12
    assert_same_outputs(whole, cut)


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


@pytest.mark.slow
def test_movie_recommendations_killed_while_choosing_the_denoising_epochs_and_resumed(tmp_path, tmp_path_factory):
    """Killed in the training whose epochs `TopKValidation` and `EarlyStopping` choose: the same choice and results."""
    _, *whole = short_run(tmp_path_factory, "movie_recommendations.py")  # 3 epochs on validation
    _, done, cut, _ = killed_and_resumed(tmp_path, "movie_recommendations.py", "denoising_validation", epoch=1)
    assert 1 <= done < 3
    assert json.loads((cut[0] / "summary.json").read_text())["chosen"] == json.loads(
        (whole[0] / "summary.json").read_text())["chosen"]
    assert_same_outputs(whole, cut)
