"""Set-up for every test and docstring example: a fixed seed, quiet TensorFlow, common names."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import hypothesis  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework import config as tf_config  # noqa: E402  (no public switch-off)


# Under CI every property test draws the same examples on every run (and every machine), with no
# deadline (a loaded machine is slow, not wrong), so CI never passes or fails by chance; elsewhere,
# new draws find new cases.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
hypothesis.settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)


@pytest.fixture(autouse=True)
def _doctest_names(request):
    """Docstring examples may use `np`, `keras`, `tf` and `os`, as in Keras' own docs.

    An example may switch op determinism on (`set_deterministic`); it is switched off
    after each one, so it never changes how later tests run.
    """
    if isinstance(request.node, pytest.DoctestItem):
        request.getfixturevalue("doctest_namespace").update(np=np, keras=keras, tf=tf, os=os)
    yield
    tf_config.disable_op_determinism()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Under pytest-xdist's `--dist loadgroup`, tests that share work share a worker.

    The tests that read one recipe's short run form one group (`tests.test_recipes.short_run`
    runs each recipe once per worker: grouped, once in all); every other test is grouped with its
    module, so a module's fixtures are computed once rather than once per worker.
    """
    from tests.test_recipes import SHORT_RUNS

    for item in items:
        parameters = item.callspec.params if hasattr(item, "callspec") else {}
        group = item.nodeid.split("::")[0]
        for recipe in SHORT_RUNS:
            stem = recipe.removesuffix(".py")
            determinism = "determinism" in item.nodeid and parameters.get("recipe") == recipe
            if determinism or item.name.startswith(f"test_{stem}"):
                group = stem
        item.add_marker(pytest.mark.xdist_group(group))
