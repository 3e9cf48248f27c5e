"""`check.<exercise>()`: runs a learner's answer on cases of its own and shows one verdict; it never raises."""

from __future__ import annotations

import dataclasses
import functools
import sys
import traceback
from typing import Callable

from keras_workshop.labs._verdict import Summary, Verdict


class Wrong(Exception):
    """The answer is wrong; the message is the hint (what is wrong, never the solution)."""


class NotAnswered(Exception):
    """The answer still holds `...` or `None`, or returns it."""


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: its `lab`, the notebook `names` it reads, and `test`, which raises `Wrong` with a hint."""

    name: str
    lab: str
    names: tuple
    test: Callable


EXERCISES: dict[str, Exercise] = {}


def exercise(lab: str, *names: str):
    """Registers a test as the check of the exercise named after it (`check.<name>()`).

    The test takes the learner's values of `names` (by default the exercise's
    own name) and raises `Wrong` with a hint when the answer is wrong.
    """
    def register(test):
        EXERCISES[test.__name__] = Exercise(test.__name__, lab, names or (test.__name__,), test)
        return test
    return register


def answer(function: Callable, *args, name: str):
    """Calls the learner's `function`; `NotAnswered` when it returns `...` or `None` (still the template)."""
    result = function(*args)
    if result is ... or result is None:
        raise NotAnswered(f"`{name}` returns {'...' if result is ... else 'None'}: write its body in the cell above "
                          "and run that cell")
    return result


def quiet_keras():
    """Keras, imported without TensorFlow's start-up lines (checks import it only when they run)."""
    from keras_workshop.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    return keras


class Checks:
    """The checks of every lab: `check.onehot()` reads `onehot` where it is called and returns a `Verdict`.

    A check never raises: an answer not yet written (the cell above not run,
    or still holding `...` or `None`) is "not answered"; a wrong one, or one
    whose code raises, is "failed" with a hint. `summary()` gives the
    verdicts of a lab's exercises. The learner's values can also be given
    (`check.onehot(my_onehot)`).

    Example:

    >>> check = Checks()
    >>> print(check.onehot(...))
    … onehot: not answered: `onehot` still holds `...`: write it in the cell above and run that cell
    """

    def __init__(self):
        self._verdicts: dict[str, Verdict] = {}

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in EXERCISES:
            raise AttributeError(f"check has no exercise {name!r}; the exercises: {', '.join(EXERCISES)}.")
        return functools.partial(self._check, name)

    def __dir__(self):
        return [*EXERCISES, "summary"]

    def _check(self, name: str, *given) -> Verdict:
        exercise = EXERCISES[name]
        namespace = sys._getframe(1).f_globals  # the notebook's, where `check.<name>()` was called
        verdict = _verdict(exercise, given, namespace)
        self._verdicts[name] = verdict
        return verdict

    def summary(self, lab: str | None = None) -> Summary:
        """The verdicts of `lab`'s exercises (by default the lab of the last check run); unchecked: not answered."""
        labs = sorted({exercise.lab for exercise in EXERCISES.values()})
        if lab is None and not self._verdicts:
            raise ValueError(f"check.summary: no check has run yet in this kernel; name the lab, one of "
                             f"{', '.join(labs)}.")
        if lab is None:
            lab = EXERCISES[next(reversed(self._verdicts))].lab
        if lab not in labs:
            raise ValueError(f"check.summary: no lab {lab!r}; the labs: {', '.join(labs)}.")
        return Summary(lab, [self._verdicts.get(name, Verdict(name, "not answered", "its check has not run"))
                             for name, exercise in EXERCISES.items() if exercise.lab == lab])


def _verdict(exercise: Exercise, given: tuple, namespace: dict) -> Verdict:
    if given and len(given) != len(exercise.names):
        return Verdict(exercise.name, "failed", f"check.{exercise.name}() takes {len(exercise.names)} value(s) "
                                                f"({', '.join(exercise.names)}), got {len(given)}")
    values = []
    for position, name in enumerate(exercise.names):
        if given:
            value = given[position]
        elif name not in namespace:
            return Verdict(exercise.name, "not answered", f"`{name}` is not defined: run the cell above first")
        else:
            value = namespace[name]
        if value is ... or value is None:
            shown = "..." if value is ... else "None"
            return Verdict(exercise.name, "not answered",
                           f"`{name}` still holds `{shown}`: write it in the cell above and run that cell")
        values.append(value)
    try:
        message = exercise.test(*values)
    except NotAnswered as error:
        return Verdict(exercise.name, "not answered", str(error))
    except Wrong as error:
        return Verdict(exercise.name, "failed", str(error))
    except Exception as error:  # the learner's code raised: a verdict, never a traceback
        return Verdict(exercise.name, "failed", f"your code raised {type(error).__name__}: {error}{_where(error)}")
    return Verdict(exercise.name, "passed", message or "")


def _where(error: Exception) -> str:
    """` (line N of your cell)` when the error was raised in notebook code, else `""`."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "keras_workshop" not in frame.filename
              and "site-packages" not in frame.filename]
    return f" (line {frames[-1].lineno} of your cell)" if frames else ""


check = Checks()
