"""The same seed on the CPU gives the same results twice: every output file, every exported variable and output."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tests.test_recipes import EXPORTS_NOTHING, SHORT_RUNS, short_run

_RUN_SPECIFIC = {"seconds", "settings", "export"}  # wall times and the run's own folders


def results(out):
    """relative path -> content of every JSON and JSON-lines output, without wall times and folders."""
    def without_run_specific(value):
        if isinstance(value, dict):
            return {k: without_run_specific(v) for k, v in value.items() if k not in _RUN_SPECIFIC}
        if isinstance(value, list):
            return [without_run_specific(v) for v in value]
        return value

    found = {}
    for folder, _, names in os.walk(out):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(".json") and "backup" not in path:
                found[os.path.relpath(path, out)] = without_run_specific(json.load(open(path)))
            elif name.endswith(".jsonl"):
                found[os.path.relpath(path, out)] = [json.loads(line) for line in open(path)]
    return found


def exports(saved_models):
    return sorted(os.path.relpath(root, saved_models) for root, _, names in os.walk(saved_models)
                  if "saved_model.pb" in names)


_PROFILE = {"gender": "F", "occupation": "writer", "liked_titles": "", "age": 30}  # recommend_for_profile's inputs


def example_inputs(signature):
    """Inputs for a signature from its specs: zeros, or the string "1" (an id), batches of 2; a valid profile."""
    inputs = {}
    for name, spec in signature.structured_input_signature[1].items():
        shape = [2 if size is None else size for size in spec.shape]
        if name in _PROFILE:
            inputs[name] = tf.fill(shape, tf.constant(_PROFILE[name], spec.dtype))
        elif spec.dtype == tf.string:
            inputs[name] = tf.fill(shape, "1")
        elif name == "k":
            inputs[name] = tf.ones(shape, spec.dtype)
        else:
            inputs[name] = tf.zeros(shape, spec.dtype)
    return inputs


def assert_same_export(first, second):
    """Two exports hold the same variables (by name) and give the same outputs on every signature."""
    first, second = tf.saved_model.load(str(first)), tf.saved_model.load(str(second))
    ours = {v.name: v.numpy() for v in first.variables}
    theirs = {v.name: v.numpy() for v in second.variables}
    assert sorted(ours) == sorted(theirs)
    for name in ours:
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
    assert sorted(first.signatures) == sorted(second.signatures)
    for name, signature in first.signatures.items():
        inputs = example_inputs(signature)
        answers, again = signature(**inputs), second.signatures[name](**inputs)
        for key in answers:
            np.testing.assert_array_equal(answers[key].numpy(), again[key].numpy(), err_msg=f"{name}: {key}")


# Their second run with the same seed is the resumed run of tests/test_recipes_resume.py, compared the same way.
SECOND_RUN_ELSEWHERE = {"movie_embeddings.py", "dropout_curves.py"}


@pytest.mark.parametrize("recipe", sorted(set(SHORT_RUNS) - SECOND_RUN_ELSEWHERE))
def test_the_same_seed_gives_the_same_results_twice(recipe, tmp_path, tmp_path_factory):
    _, out, saved = short_run(tmp_path_factory, recipe)
    _, out_again, saved_again = short_run(tmp_path_factory, recipe, folder=tmp_path)
    first, second = results(out), results(out_again)
    assert first and first == second
    assert (recipe in EXPORTS_NOTHING or exports(saved)) and exports(saved) == exports(saved_again)
    for export in exports(saved):
        assert_same_export(saved / export, saved_again / export)
