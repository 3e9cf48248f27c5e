"""The recipes' argparse types refuse bad values by naming them."""

import argparse
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.runtime import (
    fraction,
    fractions,
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
def test_a_sweep_is_two_or_more_fractions(values):
    text = ",".join(map(repr, values))
    if len(values) >= 2 and all(0 <= value < 1 for value in values):
        assert fractions(text) == [float(repr(value)) for value in values]
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="expected (a number in \\[0, 1\\)|two or more numbers)"):
            fractions(text)
