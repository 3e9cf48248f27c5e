"""The package surface: each subpackage's __all__ is its contract, re-exported at the top, loaded lazily."""

import importlib
import os
import subprocess
import sys

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

import keras_workshop
from tests.conftest import REPO

SUBPACKAGES = ["dropout", "embeddings", "labs", "movielens", "notebooks", "recommenders", "runtime", "serving", "word2vec"]


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


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.integers(max_value=0), st.floats(), st.booleans(), st.text(max_size=3), st.none(),
                 st.integers(1, 2**40).map(float)))
def test_one_positive_integer_check_with_one_message(bad):
    """Every function's size argument goes through one check: 0, negatives, floats (3.0 too), bools, NaN refused."""
    from keras_workshop import dropout_mlp, noise_table, select_device
    from keras_workshop.embeddings import Embedding

    for call in (lambda: Embedding(input_dim=bad, output_dim=2), lambda: dropout_mlp(bad, (4,), 2),
                 lambda: noise_table(np.ones(3), size=bad), lambda: select_device("cpu", cpu_replicas=bad)):
        with pytest.raises(ValueError, match=r"^\w+: `\w+` must be a positive integer, got "):
            call()


def imports_of(path):
    """`(line, module, name)` for every `import` and `from ... import` in a file (inside functions too)."""
    import ast

    with open(path) as file:
        tree = ast.parse(file.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            for alias in node.names:
                yield node.lineno, node.module, alias.asname or alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, alias.asname or alias.name.split(".")[0]


def python_files(*folders):
    for folder in folders:
        for root, _, files in os.walk(os.path.join(REPO, folder)):
            yield from (os.path.join(root, name) for name in files if name.endswith(".py"))


def test_no_private_name_crosses_a_module_border():
    """No import binds a name that starts with `_`; a subpackage's private modules are its own.

    Inside the package, a module may import from the private modules of its own subpackage and from
    the package's shared private modules (`keras_workshop._checks`, `keras_workshop._keras1`);
    across subpackages, only public names. Tests, recipes and benchmarks use public names only.
    """
    bad = []
    for path in python_files("keras_workshop", "tests", "recipes", "benchmarks"):
        relative = os.path.relpath(path, REPO)
        parts = relative.removesuffix(".py").split(os.sep)
        own = parts[1] if parts[0] == "keras_workshop" and len(parts) > 2 else None
        for line, module, name in imports_of(path):
            where = f"{relative}:{line}: {module} {name}"
            if name.startswith("_"):
                bad.append(where)
            segments = module.split(".")
            if segments[0] != "keras_workshop":
                continue
            private = [i for i, segment in enumerate(segments) if segment.startswith("_")]
            if not private:
                continue
            shared = private[0] == 1 and parts[0] == "keras_workshop"  # keras_workshop._checks, from the package
            in_own = len(segments) > 2 and segments[1] == own and private[0] == 2
            if not (shared or in_own):
                bad.append(where)
    assert not bad, "\n".join(bad)
