"""The recipes' argparse types refuse bad values by naming them."""

import argparse
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.runtime import (
    fraction,
    fractions,
    shortened,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)

NOT_NUMBERS = st.text().filter(lambda text: not _parses(text))


def _parses(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


@settings(max_examples=60, deadline=None)
@given(st.one_of(NOT_NUMBERS, st.sampled_from(["nan", "inf", "-inf", "NaN", "1e999"])))
def test_float_types_refuse_non_finite_and_non_numbers(text):
    for kind in (positive_float, non_negative_float, fraction):
        with pytest.raises(argparse.ArgumentTypeError, match="expected .*got"):
            kind(text)


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_types_accept_exactly_their_ranges(value):
    text = repr(value)
    for kind, valid in ((positive_float, value > 0), (non_negative_float, value >= 0), (fraction, 0 <= value < 1)):
        if valid:
            assert math.isclose(kind(text), value)
        else:
            with pytest.raises(argparse.ArgumentTypeError, match=f"got {text!r}".replace("+", r"\+")):
                kind(text)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(-10**6, 10**6).map(str), st.floats().map(repr), st.text(max_size=5)))
def test_integer_types(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    for kind, minimum in ((positive_int, 1), (non_negative_int, 0)):
        if value is not None and value >= minimum:
            assert kind(text) == value
        else:
            with pytest.raises(argparse.ArgumentTypeError, match="expected a (positive|non-negative) integer"):
                kind(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=5))
def test_a_sweep_is_one_or_more_distinct_fractions_in_increasing_order(values):
    text = ",".join(map(repr, values))
    valid = all(0 <= value < 1 for value in values)
    if valid and len(set(values)) == len(values):
        assert fractions(text) == sorted(float(repr(value)) for value in values)
        assert fractions(",".join(map(repr, values[::-1]))) == fractions(text)  # the order written decides nothing
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="expected (a number in \\[0, 1\\)|each rate once)"):
            fractions(text)


def test_shortened_names_every_option_below_its_default():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=positive_int, default=60)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rate", type=float, default=0.5)
    assert shortened(parser.parse_args([]), parser, "epochs", "seeds") == ""
    assert shortened(parser.parse_args(["--epochs", "90", "--seeds", "0", "1", "2", "3"]), parser, "epochs", "seeds") == ""
    short = parser.parse_args(["--epochs", "3", "--seeds", "0", "--rate", "0.1"])
    assert shortened(short, parser, "epochs", "seeds") == "--epochs 3 of 60, --seeds 1 values of 3"
