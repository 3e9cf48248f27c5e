"""argparse types for the recipes' options: each refuses a bad value by naming it and what was expected."""

from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    """An integer >= 1.

    Example:

    >>> positive_int("3")
    3
    """
    return _integer(text, minimum=1, expected="a positive integer")


def non_negative_int(text: str) -> int:
    """An integer >= 0 (0 often means "none").

    Example:

    >>> non_negative_int("0")
    0
    """
    return _integer(text, minimum=0, expected="a non-negative integer")


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates, thresholds): never NaN or inf.

    Example:

    >>> positive_float("1e-3")
    0.001
    """
    return _number(text, "a finite number > 0", lambda value: value > 0)


def non_negative_float(text: str) -> float:
    """A finite number >= 0 (0 often means "off"): never NaN or inf.

    Example:

    >>> non_negative_float("1e-4")
    0.0001
    """
    return _number(text, "a finite number >= 0", lambda value: value >= 0)


def fraction(text: str) -> float:
    """A fraction in [0, 1): a dropout rate, a share.

    Example:

    >>> fraction("0.5")
    0.5
    """
    return _number(text, "a number in [0, 1)", lambda value: 0 <= value < 1)


def fractions(text: str) -> list[float]:
    """One or more distinct fractions in [0, 1) separated by commas (a sweep of dropout rates), in increasing order.

    The order given never decides an answer: a sweep's best rate on a tie
    is the smallest, however the rates were written.

    Example:

    >>> fractions("0.5,0")
    [0.0, 0.5]
    >>> fractions("0.5")
    [0.5]
    """
    values = [fraction(part) for part in text.split(",")]
    if len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"expected each rate once (a repeat measures nothing new), got {text!r}")
    return sorted(values)


def shortened(args: argparse.Namespace, parser: argparse.ArgumentParser, *names: str) -> str:
    """Which of the options `names` (how long or how much a run trains) are below their defaults, in words.

    A run with fewer epochs or fewer sweep points than the defaults shows that
    run, not the recipe's findings: recipes print this and put it on their
    figures. `""` when every option is at or above its default.

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> _ = parser.add_argument("--epochs", type=int, default=60)
    >>> _ = parser.add_argument("--sweep", type=fractions, default=[0.0, 0.25, 0.5])
    >>> shortened(parser.parse_args(["--epochs", "10", "--sweep", "0,0.5"]), parser, "epochs", "sweep")
    '--epochs 10 of 60, --sweep 2 values of 3'
    >>> shortened(parser.parse_args([]), parser, "epochs", "sweep")
    ''
    """
    notes = []
    for name in names:
        value, default = getattr(args, name), parser.get_default(name)
        option = "--" + name.replace("_", "-")
        if isinstance(default, (list, tuple)) and len(value) < len(default):
            notes.append(f"{option} {len(value)} values of {len(default)}")
        elif isinstance(default, (int, float)) and not isinstance(default, bool) and value < default:
            notes.append(f"{option} {value} of {default}")
    return ", ".join(notes)


def one_of(*choices: str):
    """An argparse type that takes one of `choices` (a setting with a few named values).

    Example:

    >>> rated = one_of("stars", "implicit", "none")
    >>> rated("implicit")
    'implicit'
    >>> rated.__name__
    "one of 'stars', 'implicit', 'none'"
    """
    if not choices or not all(isinstance(choice, str) for choice in choices):
        raise ValueError(f"one_of: expected one or more strings, got {choices!r}.")

    def choose(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(map(repr, choices))}, got {text!r}")
        return text

    choose.__name__ = "one of " + ", ".join(map(repr, choices))
    return choose


def _integer(text: str, minimum: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def _number(text: str, expected: str, accepted) -> float:
    """`text` as a finite number that `accepted`, or an error naming it and what was `expected`."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not (math.isfinite(value) and accepted(value)):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value
