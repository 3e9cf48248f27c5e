"""The README and saved_models/README.md show what running their snippets gives."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from keras_workshop import slides
from keras_workshop.serving import ServedModel, export_for_serving
from tests.conftest import REPO

DOCUMENTS = ["README.md", os.path.join("saved_models", "README.md")]
CURL = re.compile(r"curl [^\n]*?/v1/models/([\w.-]+):predict \\?\s*-d '([^']*)'\n(\{[^\n]*\})")


def python_blocks(document):
    with open(os.path.join(REPO, document)) as file:
        return re.findall(r"```python\n(.*?)```", file.read(), re.S)


def lab_export(base_dir):
    """saved_models/embedding_lab/1 as recipes/embeddings_101.py writes it: the course lab's W."""
    model = slides.Sequential()
    weights = np.arange(40, dtype="float32").reshape(10, 4)
    model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1, weights=[weights]))
    return export_for_serving(model, "embedding_lab", base_dir=str(base_dir), output_name="vectors")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_python_snippet_runs_as_written(document, tmp_path):
    blocks = python_blocks(document)
    assert blocks, document
    lab_export(tmp_path / "saved_models")  # what `make demo` leaves for the serving snippets
    for block in blocks:
        result = subprocess.run(
            [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300,
            env=dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3"),
        )
        assert result.returncode == 0, block + result.stderr[-3000:]


def close(answer, shown):
    """The served answer equals what the document shows, to the digits shown."""
    if isinstance(shown, list):
        return len(answer) == len(shown) and all(close(a, s) for a, s in zip(answer, shown))
    digits = len(str(shown).partition(".")[2])
    return abs(answer - shown) <= 0.5 * 10.0 ** -digits + 1e-12


def test_the_rest_examples_are_what_the_lab_signatures_return(tmp_path):
    with open(os.path.join(REPO, "saved_models", "README.md")) as file:
        examples = [(name, json.loads(body), json.loads(response)) for name, body, response in CURL.findall(file.read())
                    if name == "embedding_lab"]
    assert len(examples) >= 2
    served = ServedModel(lab_export(tmp_path))
    for _, body, response in examples:
        signature = body.get("signature_name", "serving_default")
        if "instances" in body:
            inputs = {"ids": np.asarray(body["instances"], np.int32)}
            answer = served.run(signature, inputs)
            assert list(response) == ["predictions"] and len(answer) == 1
            assert close(next(iter(answer.values())).tolist(), response["predictions"]), (answer, response)
        else:
            inputs = {key: np.asarray(value, np.int32) for key, value in body["inputs"].items()}
            answer = served.run(signature, inputs)
            assert set(answer) == set(response["outputs"])
            for key, value in response["outputs"].items():
                assert close(answer[key].tolist(), value), (key, answer[key], value)


def test_the_library_table_lists_each_subpackages_all():
    import importlib

    with open(os.path.join(REPO, "docs", "library.md")) as file:
        rows = re.findall(r"^\| `keras_workshop\.(\w+)` \| (.*?) \|", file.read(), re.M)
    assert {name for name, _ in rows} == {"slides", "embeddings", "dropout", "word2vec", "movielens", "recommenders",
                                          "serving", "runtime", "plots", "notebooks", "labs"}
    for name, names in rows:
        module = importlib.import_module(f"keras_workshop.{name}")
        public = getattr(module, "__all__", None) or [n for n in dir(module) if n.startswith("plot_")]
        assert sorted(re.findall(r"`(\w+)`", names)) == sorted(public), name


def test_the_errors_table_names_only_what_exists():
    """Each name docs/errors.md gives for where an input goes is a public name, a Keras method or a served name."""
    import keras_workshop
    from keras_workshop import plots

    with open(os.path.join(REPO, "saved_models", "README.md")) as file:
        served = set(re.findall(r"`(\w+)`", file.read()))
    known = set(keras_workshop.__all__) | {n for n in dir(plots) if n.startswith("plot_")} | {"fit", "predict"} | served
    with open(os.path.join(REPO, "docs", "errors.md")) as file:
        rows = [line.split(" | ") for line in file.read().splitlines()
                if line.startswith("| ") and not line.startswith(("| ---", "| input |"))]
    assert len(rows) > 20
    for row in rows:
        for token in re.findall(r"`([^`]+)`", row[1]):
            if re.fullmatch(r"[A-Za-z_][\w.]*", token):
                assert known & set(token.split(".")), (row[0], token)


def test_the_readme_is_short():
    with open(os.path.join(REPO, "README.md")) as file:
        assert len(file.read().splitlines()) <= 150


def test_the_readmes_lab_exercise_prints_the_verdict_shown_under_it():
    with open(os.path.join(REPO, "README.md")) as file:
        block, shown = re.search(r"```python\n([^`]*?check\.onehot\(\)[^`]*?)```\n```\n(.*?)\n```", file.read(),
                                 re.S).groups()
    result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 0 and result.stdout.strip() == shown, result.stdout + result.stderr
