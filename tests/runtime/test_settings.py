"""A recipe's settings cell: command-line options in a script, the cell's own values (checked) in a notebook."""

import sys
import types

import pytest

from keras_workshop.runtime import fraction, fractions, in_notebook, positive_int, recipe_settings


def cell():
    return {"__annotations__": {"EPOCHS": positive_int, "RATES": fractions, "MASKS": list[positive_int],
                                "DROPOUT_RATE": fraction, "lowercase": int},
            "EPOCHS": 60, "RATES": [0.0, 0.5], "MASKS": [1, 10], "DROPOUT_RATE": 0.5, "lowercase": 3}


def test_as_a_script_every_setting_is_an_option_that_replaces_the_cells_value():
    namespace = cell()
    args, _ = recipe_settings(namespace, "x", out="runs/x", argv=["--epochs", "3", "--rates", "0.5,0.2", "--masks", "5",
                                                                  "7", "--seed", "1"])
    assert (namespace["EPOCHS"], namespace["RATES"], namespace["MASKS"], namespace["DROPOUT_RATE"]) == (3, [0.2, 0.5],
                                                                                                     [5, 7], 0.5)
    assert (args.epochs, args.dropout_rate, args.seed, args.out) == (3, 0.5, 1, "runs/x")
    assert not hasattr(args, "lowercase")  # only UPPER_CASE names are settings


@pytest.mark.parametrize("argv, message", [(["--epochs", "0"], "--epochs: expected a positive integer, got '0'"),
                                           (["--dropout-rate", "1"], "--dropout-rate: expected a number in [0, 1)"),
                                           (["--masks", "1", "x"], "--masks: expected a positive integer, got 'x'")])
def test_a_bad_value_exits_2_naming_it(capsys, argv, message):
    with pytest.raises(SystemExit) as exit:
        recipe_settings(cell(), "x", out="runs/x", argv=argv)
    assert exit.value.code == 2 and message in capsys.readouterr().err


@pytest.fixture
def kernel(monkeypatch):
    """This process as a Jupyter kernel sees itself: ipykernel loaded, its launcher and connection file in argv."""
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(sys, "argv", ["/venv/lib/python3.11/site-packages/ipykernel_launcher.py", "-f", "/tmp/k.json"])


def test_in_a_notebook_the_kernels_arguments_are_never_read_and_the_cells_values_stand(kernel):
    assert in_notebook()
    namespace = cell() | {"EPOCHS": 7}
    args, _ = recipe_settings(namespace, "x", out="runs/x")
    assert namespace["EPOCHS"] == args.epochs == 7 and args.rates == [0.0, 0.5] and args.out == "runs/x"


@pytest.mark.parametrize("changes, message", [({"EPOCHS": 0}, "--epochs: expected a positive integer, got '0'"),
                                              ({"RATES": [0.5, 0.5]}, "--rates: expected each rate once"),
                                              ({"MASKS": [1, -2]}, "--masks: expected a positive integer, got '-2'")])
def test_in_a_notebook_a_bad_value_in_the_cell_is_refused_as_the_command_line_would_be(kernel, capsys, changes, message):
    with pytest.raises(SystemExit):
        recipe_settings(cell() | changes, "x", out="runs/x")
    assert message in capsys.readouterr().err


def test_help_lists_each_setting_with_its_comment_and_default(tmp_path, capsys):
    source = tmp_path / "recipe.py"
    source.write_text("EPOCHS: positive_int = 60  # epochs of the model\nMASKS: list[positive_int] = [1, 10]  # masks\n")
    namespace = {"__file__": str(source), "__annotations__": {"EPOCHS": positive_int, "MASKS": list[positive_int]},
                 "EPOCHS": 60, "MASKS": [1, 10]}
    with pytest.raises(SystemExit):
        recipe_settings(namespace, "A recipe.", out="runs/x", argv=["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--epochs EPOCHS epochs of the model (default 60)" in shown and "masks (default 1 10)" in shown


def test_fit_shows_a_progress_bar_in_a_notebook_and_one_line_per_epoch_in_a_script(monkeypatch):
    import tensorflow as tf

    from keras_workshop.runtime import Runtime

    runtime = Runtime("cpu", tf.distribute.get_strategy(), "none", "float32", True, "runs/x", None)
    assert runtime.verbose == 2
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(sys, "argv", ["/venv/lib/python3.11/site-packages/ipykernel_launcher.py", "-f", "/tmp/k.json"])
    assert runtime.verbose == 1
