"""The package surface: each subpackage's __all__ is its contract, re-exported at the top, loaded lazily."""

import importlib
import os
import subprocess
import sys

import pytest

import keras_workshop
from tests.conftest import REPO

SUBPACKAGES = ["dropout", "embeddings", "movielens", "runtime", "serving", "word2vec"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_public_name_resolves_to_its_subpackage_and_is_re_exported(name):
    package = importlib.import_module(f"keras_workshop.{name}")
    assert package.__all__ and package.__all__ == sorted(package.__all__)
    for public in package.__all__:
        value = getattr(package, public)
        if callable(value):  # functions and classes; constants (GENRES, FIELDS) have no module
            assert value.__module__.startswith(f"keras_workshop.{name}._"), (public, value.__module__)
        assert getattr(keras_workshop, public) is value
    assert set(package.__all__) <= set(dir(package))


def test_top_level_all_is_the_union_of_the_subpackages():
    names = {public for name in SUBPACKAGES for public in importlib.import_module(f"keras_workshop.{name}").__all__}
    assert set(keras_workshop.__all__) == names | set(SUBPACKAGES) | {"plots", "slides"}
    assert len(names) == sum(len(importlib.import_module(f"keras_workshop.{n}").__all__) for n in SUBPACKAGES)
    with pytest.raises(AttributeError):
        keras_workshop.no_such_name  # noqa: B018


def test_modules_inside_subpackages_are_private():
    for name in SUBPACKAGES:
        folder = os.path.join(REPO, "keras_workshop", name)
        modules = [f for f in os.listdir(folder) if f.endswith(".py") and f != "__init__.py"]
        assert modules and all(f.startswith("_") for f in modules), (name, modules)


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=REPO))


def test_importing_the_package_and_its_subpackages_loads_no_tensorflow():
    result = run(
        "import sys, keras_workshop\n"
        "from keras_workshop import dropout, embeddings, runtime, serving, word2vec\n"
        "from keras_workshop.serving import ServedModel, check_model_name, replay_samples, signatures_of_export\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_check_export_command_without_arguments_prints_usage():
    result = subprocess.run([sys.executable, "-m", "keras_workshop.check_export"], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 2 and "usage: python -m keras_workshop.check_export" in result.stderr


def test_check_export_help_is_help_and_a_model_folder_serves_its_highest_version(tmp_path):
    from keras_workshop.serving import served_version

    result = subprocess.run([sys.executable, "-m", "keras_workshop.check_export", "--help"], capture_output=True,
                            text=True, timeout=120, env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 0 and "EXPORT_DIR" in result.stdout and "FAIL" not in result.stdout  # help, not a path
    for version in ("1", "2", "10", "x"):
        os.makedirs(tmp_path / "model" / version)
        (tmp_path / "model" / version / "saved_model.pb").write_bytes(b"")
    assert served_version(str(tmp_path / "model")) == str(tmp_path / "model" / "10")
    assert served_version(str(tmp_path / "model" / "2")) == str(tmp_path / "model" / "2")
    with pytest.raises(ValueError, match="no such folder"):
        served_version(str(tmp_path / "missing"))
    os.makedirs(tmp_path / "empty")
    with pytest.raises(ValueError, match="neither a SavedModel .* nor a model folder"):
        served_version(str(tmp_path / "empty"))
