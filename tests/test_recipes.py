"""Each recipe runs end to end on its default data (shortened where it trains)."""

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO


def run_recipe(name, *args):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, os.path.join(REPO, "recipes", name), *args],
        capture_output=True, text=True, env=environment, timeout=600,
    )


def run_in_process(name, *args):
    """Runs recipe `name` in this process as `python recipes/<name> ARGS` would: no TensorFlow start-up.

    Returns a `subprocess.CompletedProcess` with the exit status, stdout and stderr. Keras' session
    is cleared before and after (layer names start afresh, as in a new process), and what a recipe
    sets for the whole process is set back: op determinism off, the float32 dtype policy, no figures.
    """
    import keras
    import matplotlib.pyplot as plt
    from tensorflow.python.framework import config as tf_config  # no public switch-off

    stdout, stderr = io.StringIO(), io.StringIO()
    path = os.path.join(REPO, "recipes", name)
    keras.backend.clear_session()
    with mock.patch.object(sys, "argv", [path, *args]), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        try:
            runpy.run_path(path, run_name="__main__")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
            if isinstance(exit.code, str):  # `sys.exit(message)`: Python prints the message
                print(exit.code, file=stderr)
        finally:
            keras.backend.clear_session()
            tf_config.disable_op_determinism()
            keras.mixed_precision.set_global_policy("float32")
            plt.close("all")
    return subprocess.CompletedProcess([name, *args], code, stdout.getvalue(), stderr.getvalue())


def check_options(name, *args):
    """Runs recipe `name` in this process (`run_in_process`) until it exits on its options (`--help`, a bad value).

    For options a recipe refuses before it trains.
    """
    result = run_in_process(name, *args)
    if result.returncode == 0 and "--help" not in args:
        raise AssertionError(f"{name} {' '.join(args)} ran to its end instead of refusing its options")
    return result


SHORT_RUNS = {  # each recipe shortened, as the tests run it
    "embeddings_101.py": ["--pairs", "2000"],
    "dropout_curves.py": ["--epochs", "12"],
    "dropout_101.py": [],
    "word_embeddings.py": ["--corpus", "{lee}", "--epochs", "2", "--dim", "32", "--probes", "police,government,fire"],
    "movie_embeddings.py": ["--epochs", "3"],
    "movie_ratings.py": ["--data", "{grouplens}", "--folds", "2", "--epochs", "3", "--ensemble", "1"],
    "rating_dropout_sweep.py": ["--data", "{grouplens}", "--epochs", "3", "--sweep", "0,0.5"],
    "movie_recommendations.py": ["--split-seeds", "0", "--max-epochs", "3", "--tower-epochs", "1",
                                 "--edlae-rates", "0.5", "--ease-l2", "400", "--rating-epochs", "1"],
    "dropout_as_l2.py": ["--split-seeds", "0", "--sweep", "0.5", "--ease-l2", "400", "--fit-epochs", "1"],
}
EXPORTS_NOTHING = {"rating_dropout_sweep.py", "dropout_as_l2.py"}  # recipes without --saved-models
_FIRST_RUNS = {}


def short_run(tmp_path_factory, recipe, folder=None):
    """Runs `recipe` with its `SHORT_RUNS` options into `folder`; without one, once per session (cached).

    The cached run is `run_in_process`; a run into `folder` is a new process (`run_recipe`), so the
    determinism tests compare two processes.

    Returns `(result, out, saved_models)`.
    """
    if folder is None and recipe in _FIRST_RUNS:
        return _FIRST_RUNS[recipe]
    from gensim.test.utils import datapath

    from tests.movielens.test_data import write_synthetic_grouplens

    base = folder or tmp_path_factory.mktemp(recipe.removesuffix(".py"))
    places = {"lee": datapath("lee_background.cor")}
    if "{grouplens}" in SHORT_RUNS[recipe]:
        places["grouplens"] = write_synthetic_grouplens(str(base / "ml"))
    arguments = [argument.format(**places) for argument in SHORT_RUNS[recipe]]
    exports = [] if recipe in EXPORTS_NOTHING else ["--saved-models", str(base / "saved_models")]
    run = run_recipe if folder else run_in_process
    result = run(recipe, *arguments, "--out", str(base / "out"), *exports)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    if folder is None:
        _FIRST_RUNS[recipe] = result, base / "out", base / "saved_models"
    return result, base / "out", base / "saved_models"


def assert_served_by_cpp_loader(*paths):
    result = subprocess.run(
        [sys.executable, "-m", "keras_workshop.check_export", *map(str, paths)],
        capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_embeddings_101(tmp_path_factory):
    result, tmp_path, saved = short_run(tmp_path_factory, "embeddings_101.py")
    with open(tmp_path / "claims.json") as file:
        claims = json.load(file)
    assert len(claims) >= 15 and all(claim["holds"] for claim in claims)
    assert "sqrt(2)" in result.stdout and "onehot('salad')" in result.stdout
    device = "gpu" if tf.config.list_physical_devices("GPU") else "cpu"  # --device auto says what it chose
    assert f"device: {device}; strategy: none" in result.stdout and "replicas: 1" in result.stdout
    with open(tmp_path / "cosine_histograms.png", "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    served = tf.saved_model.load(str(saved / "embedding_lab" / "1")).signatures["serving_default"]
    lab = np.arange(40, dtype="float32").reshape(10, 4)
    all_rows = served(ids=tf.constant(np.arange(10).reshape(10, 1), tf.int32))["vectors"][:, 0]
    np.testing.assert_array_equal(all_rows, lab)  # the course lab's W, every row (as saved_models/README.md says)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        served(ids=tf.constant([[10]]))
    assert_served_by_cpp_loader(saved / "embedding_lab" / "1")


def test_dropout_curves(tmp_path_factory):
    result, tmp_path, saved = short_run(tmp_path_factory, "dropout_curves.py")
    assert "Short run (--epochs 12 of 150)" in result.stdout
    with open(tmp_path / "curves.json") as file:
        curves = json.load(file)
    assert sorted(curves) == ["0.0", "0.2", "0.8"]
    assert all(len(curves[rate]["train"]) == len(curves[rate]["validation"]) == 12 for rate in curves)
    for number in (1, 2, 3):
        for extension in ("png", "svg"):
            assert (tmp_path / f"dropout_curves_{number}.{extension}").stat().st_size > 1000
    assert (tmp_path / "regularisers.png").exists()
    served = tf.saved_model.load(str(saved / "dropout_mlp_p0.2" / "1")).signatures["serving_default"]
    probabilities = served(features=tf.zeros((2, 64)))["probabilities"]
    np.testing.assert_allclose(np.sum(probabilities, axis=1), 1, rtol=1e-5)
    # dropout is inactive in the served graph: the same input gives the same output
    np.testing.assert_array_equal(probabilities, served(features=tf.zeros((2, 64)))["probabilities"])
    assert_served_by_cpp_loader(*(saved / f"dropout_mlp_p{rate}" / "1" for rate in ("0.0", "0.2", "0.8")))
    assert (saved / "models.config").read_text().count("config {") == 3


def test_dropout_101(tmp_path_factory):
    _, tmp_path, saved = short_run(tmp_path_factory, "dropout_101.py")
    with open(tmp_path / "dropout_101.json") as file:
        results = json.load(file)
    assert results["equivalence_max_gap"] < 1e-5
    for rate in (0.2, 0.5, 0.8):
        assert abs(results[f"p={rate}"]["zeroed"] - rate) < 0.003
        assert results[f"p={rate}"]["identity"]
    linear = results["mc_gaps (dropout into a linear layer)"]
    assert linear["1000"] < 0.1 * linear["1"]
    for extension in ("png", "svg"):  # the ensemble reading, as a figure
        assert (tmp_path / f"mc_dropout.{extension}").stat().st_size > 1000
    assert_served_by_cpp_loader(saved / "slide_dropout_converted" / "1")


def test_word_embeddings_on_a_text_file(tmp_path_factory):
    _, tmp_path, saved = short_run(tmp_path_factory, "word_embeddings.py")
    records = [json.loads(line) for line in (tmp_path / "neighbours.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [0, 1, 2]
    assert set(records[-1]["neighbours"]) == {"police", "government", "fire"}
    assert set(records[-1]["scores"]) == {"wordsim353", "simlex999"}
    for name in ("word_map_tsne.png", "word_map_pca.svg", "tensorboard/projector_config.pbtxt", "tensorboard/vectors.tsv"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert_served_by_cpp_loader(saved / "word_embeddings" / "1")


def test_movie_embeddings(tmp_path_factory):
    _, tmp_path, saved = short_run(tmp_path_factory, "movie_embeddings.py")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["neighbours"]) == {
        "Star Wars (1977)", "Toy Story (1995)", "Fargo (1996)", "Shawshank Redemption, The (1994)", "Scream (1996)"
    }
    assert all(len(rows) == 10 for rows in summary["neighbours"].values())
    # three epochs already beat both neighbour-free answers
    assert summary["genre share"] > summary["baselines"]["most popular"] > 0.3
    records = [json.loads(line) for line in (tmp_path / "neighbours.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [0, 1, 2, 3] and "genre share" in records[-1]["scores"]
    for name in ("movie_map_tsne.png", "movie_map_tsne.svg", "tensorboard/metadata.tsv"):
        assert (tmp_path / name).stat().st_size > 0, name
    export = saved / "movie_embeddings" / "1"
    assert_served_by_cpp_loader(export)
    served = tf.saved_model.load(str(export)).signatures["neighbours_symbols"]
    answer = served(symbols=tf.constant(["Star Wars (1977)", "Star Wars"]), k=tf.constant(3))
    assert answer["found"].numpy().tolist() == [True, False]
    assert all(b"(19" in title for title in answer["neighbour_symbols"].numpy()[0])  # titles come back


def test_movie_recipes_check_their_outputs_and_data_before_training(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    result = check_options("movie_embeddings.py", "--saved-models", str(not_a_folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "exists and is not a folder" in result.stderr
    result = check_options("movie_embeddings.py", "--data", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "pip install --no-deps recbole==1.2.1" in result.stderr


def test_movie_ratings_on_a_small_data_folder(tmp_path_factory):
    _, out, saved = short_run(tmp_path_factory, "movie_ratings.py")
    tmp_path = out.parent
    folds = json.loads((tmp_path / "out" / "cross_validation.json").read_text())
    assert set(folds) == {"slide Sequential", "best model", "global mean"} and all(len(v) == 2 for v in folds.values())
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert set(summary["cross-validation means"]) == {"slide Sequential", "best model", "global mean"}
    for name in ("descriptors.json",):
        assert (tmp_path / "out" / name).stat().st_size > 0, name
    export = saved / "movie_ratings" / "1"
    assert_served_by_cpp_loader(export)
    served = tf.saved_model.load(str(export)).signatures["serving_default"]
    answer = served(user_id=tf.constant(["1", "999"]), item_id=tf.constant(["2", "2"]))
    assert answer["found"].numpy().tolist() == [True, False]
    assert np.all((answer["rating"].numpy() >= 1) & (answer["rating"].numpy() <= 5))


def test_movie_ratings_refuses_bad_options_before_training(tmp_path):
    for option, value, message in (("--folds", "1", "--folds must be 0"), ("--dropout-rate", "1.5", "expected a number in [0, 1), got '1.5'"),
                                   ("--epochs", "nan", "expected a positive integer, got 'nan'"),
                                   ("--seed", "-3", "expected a non-negative integer, got '-3'")):
        result = check_options("movie_ratings.py", option, value, "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and message in result.stderr, result.stderr[-1000:]


def test_rating_dropout_sweep_draws_each_rate_on_a_small_data_folder(tmp_path_factory):
    result, out, _ = short_run(tmp_path_factory, "rating_dropout_sweep.py")
    sweep = json.loads((out / "sweep.json").read_text())["sweep"]
    assert set(sweep) == {"0.0", "0.5"}
    for values in sweep.values():
        assert len(values["curves"]["loss"]) == len(values["curves"]["val_loss"]) == 3
        assert 1 <= values["best epoch"] <= 3 and values["best validation MSE"] == min(values["curves"]["val_loss"])
    # dropout keeps the training error of the slide model above that of no dropout
    assert sweep["0.5"]["final"]["train"] > sweep["0.0"]["final"]["train"]
    assert "Epoch 3/3" in result.stdout  # Keras' own progress, on screen
    for name in ("dropout_sweep.png", "dropout_sweep.svg", "dropout_sweep_rmse.png"):
        assert (out / name).stat().st_size > 1000, name


def test_rating_dropout_sweep_refuses_bad_rates(tmp_path):
    for value, message in (("0,2", "expected a number in [0, 1), got '2'"),
                           ("0.5,0.2,0.5", "expected each rate once")):
        result = check_options("rating_dropout_sweep.py", "--sweep", value, "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and message in result.stderr, result.stderr[-1000:]


def test_movie_recommendations_measures_every_model_against_the_baselines_and_serves_them(tmp_path_factory):
    result, out, saved = short_run(tmp_path_factory, "movie_recommendations.py")
    # fewer epochs and split seeds than the defaults: said on screen (and on the figure's title)
    assert "Short run (--split-seeds 1 values of 5, --edlae-rates 1 values of 3, --max-epochs 3 of 150" in result.stdout
    assert "One split seed: the differences against EASE have no standard error" in result.stdout
    report = json.loads((out / "topk.json").read_text())
    assert set(report) == {"most popular", "item-kNN", "EASE (NumPy)", "EASE as a Dense layer", "EDLAE (closed form)",
                           "denoising recommender (Mult-DAE)", "blend: EDLAE + denoising", "rating model, by stars",
                           "two towers"}
    assert all(set(per_seed) == {"0"} for per_seed in report.values())
    ndcg = {name: np.mean([per_seed[seed]["ndcg"] for seed in per_seed]) for name, per_seed in report.items()}
    assert abs(ndcg["EASE as a Dense layer"] - ndcg["EASE (NumPy)"]) < 1e-3  # one model, two spellings
    assert min(ndcg[name] for name in ("EASE (NumPy)", "EDLAE (closed form)", "item-kNN",
                                       "blend: EDLAE + denoising")) > ndcg["most popular"]
    assert ndcg["rating model, by stars"] < ndcg["most popular"]  # trained for RMSE, it ranks poorly
    summary = json.loads((out / "summary.json").read_text())
    chosen = summary["chosen"]
    assert chosen["blend weight"] in [round(0.1 * step, 1) for step in range(11)] and 1 <= chosen["denoising epochs"] <= 3
    assert summary["served"] == max(summary["validation"]["models"], key=summary["validation"]["models"].get)
    for name, difference in summary["against EASE"].items():  # the paired differences, from the report itself
        gap = report[name]["0"]["ndcg"] - report["EASE (NumPy)"]["0"]["ndcg"]
        assert difference == {"mean": pytest.approx(gap, abs=1e-12), "standard_error": None,  # one split: no SE
                              "ahead": int(gap > 0), "splits": 1}
    assert set(summary["cold start"]) == {
        "two towers, descriptors only", "most popular", "most popular, same gender and age band",
        f"the served bag model ({summary['served']}), 3 liked titles", "EASE, 3 liked titles",
        "most popular, 3 liked titles"}
    for name in ("against_ease.png", "against_ease.svg"):
        assert (out / name).stat().st_size > 0, name
    for training in ("two_tower_cold_start", "two_tower_all"):  # one log per training, each named
        records = [json.loads(line) for line in (out / f"neighbours_{training}.jsonl").read_text().splitlines()]
        assert records and {record["model"] for record in records} == {training}
        assert records[0]["epoch"] == 0 and all(probe.startswith("item:") for probe in records[0]["neighbours"])
    export = saved / "movie_recommendations" / "1"
    assert_served_by_cpp_loader(export)
    signatures = tf.saved_model.load(str(export)).signatures
    known = signatures["recommend"](user_id=tf.constant(["1", "no such user"]), k=tf.constant(5))
    assert known["found"].numpy().tolist() == [True, False] and known["titles"].shape == (2, 5)
    new = signatures["recommend_for_profile"](gender=tf.constant(["F"]), age=tf.constant([30]),
                                              occupation=tf.constant(["writer"]),
                                              liked_titles=tf.constant([["Fargo (1996)"]]), k=tf.constant(5))
    assert new["from_liked"].numpy().tolist() == [True] and b"Fargo (1996)" not in new["titles"].numpy()[0]


def test_dropout_as_l2_puts_fit_beside_the_closed_forms(tmp_path_factory):
    result, out, _ = short_run(tmp_path_factory, "dropout_as_l2.py")
    assert "Short run (--split-seeds 1 values of 3, --sweep 1 values of 5, --fit-epochs 1 of 6)" in result.stdout
    report = json.loads((out / "topk.json").read_text())
    assert set(report) == {"EASE", "EDLAE (closed form)", "DLAE (closed form)", "Dropout -> Dense by fit"}
    summary = json.loads((out / "summary.json").read_text())
    # the slides' Dropout -> Dense trained by fit heads for EDLAE's closed form, even in 100 steps
    fit = summary["fit against the closed form"]["0"]
    assert fit["correlation"] > 0.8 and abs(fit["ndcg gap"]) < 0.03
    assert fit["ndcg gap"] == pytest.approx(report["Dropout -> Dense by fit"]["0"]["ndcg"]
                                            - report["EDLAE (closed form)"]["0"]["ndcg"])
    assert all(set(line) == {"0.5"} for line in summary["sweep"].values()) and len(summary["sweep"]) == 3
    assert summary["chosen"]["EDLAE"]["rate"] == 0.5
    for name in ("dropout_sweep.png", "dropout_sweep.svg"):
        assert (out / name).stat().st_size > 0, name


def test_movie_recommendations_refuses_bad_options_before_training(tmp_path):
    for option, value, message in (("--edlae-rates", "0.5,0.5", "expected each rate once"),
                                   ("--cold-users", "0", "--cold-users must be above 0"),
                                   ("--l2", "-1", "got '-1'"), ("--hidden", "0", "got '0'"),
                                   ("--split-seeds", "-1", "expected a non-negative integer, got '-1'"),
                                   ("--ease-l2", "nan", "got 'nan'"),
                                   ("--ease-l2", "400 200 400", "each value once")):
        result = check_options("movie_recommendations.py", option, *value.split(), "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and message in result.stderr, result.stderr[-1000:]


RECIPES = ["embeddings_101.py", "word_embeddings.py", "movie_embeddings.py", "dropout_101.py", "dropout_curves.py",
           "movie_ratings.py", "rating_dropout_sweep.py", "movie_recommendations.py", "dropout_as_l2.py"]


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="this machine has a GPU")
@pytest.mark.parametrize("recipe", RECIPES)
def test_device_gpu_without_a_gpu_fails_clearly(recipe, tmp_path):
    result = check_options(recipe, "--device", "gpu", "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "--device gpu: TensorFlow sees no GPU" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_recipe_takes_the_shared_options(recipe):
    result = check_options(recipe, "--help")
    assert result.returncode == 0
    for option in ("--device", "--strategy", "--replicas", "--mixed-precision", "--seed", "--out"):
        assert option in result.stdout, (recipe, option)


@pytest.mark.parametrize("recipe", ["word_embeddings.py", "movie_embeddings.py"])
def test_a_nan_learning_rate_is_refused(recipe, tmp_path):
    result = check_options(recipe, "--learning-rate", "nan", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "expected a finite number > 0, got 'nan'" in result.stderr


@pytest.mark.parametrize("options, message", [
    (["--sample", "-1"], "argument --sample: expected a finite number >= 0, got '-1'"),
    (["--min-ratings", "100000"], "--min-ratings 100000: 0 movies with vectors have that many ratings (the most rated "
                                  "has 583); expected at least 11"),
    (["--min-count", "100000"], "--min-count 100000: Vocabulary.from_tokens: no token occurs 100000 or more times"),
    (["--group-size", "3"], "--batch-size 2048 must be a multiple of --group-size 3"),
])
def test_movie_embeddings_refuses_options_that_leave_nothing_to_score(tmp_path, options, message):
    result = check_options("movie_embeddings.py", *options, "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]


def test_word_embeddings_names_a_corpus_that_is_not_text_in_its_encoding(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes("Le café est très bon\n".encode("latin-1"))
    result = check_options("word_embeddings.py", "--corpus", str(corpus), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"{str(corpus)!r} is not utf-8 text: byte 6 (0xe9)" in result.stderr and "--encoding" in result.stderr


def test_the_tests_of_one_recipe_share_its_run(request):
    """Under `make test` (pytest-xdist, `--dist loadgroup`) each group of tests runs on one worker, as
    `conftest.py` assigns them: those of one recipe share its short run; the others go by module."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@tests/test_recipes.py"), request.node.nodeid
