"""The checks never raise, whatever they are given, and their verdicts read the same in every form."""

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from keras_workshop.labs import EXERCISES, MIME_TYPE, Checks, Summary, Verdict, check

values = st.one_of(
    st.none(), st.just(...), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.lists(st.integers(-3, 3), max_size=4), st.dictionaries(st.floats(0, 1), st.text(max_size=3), max_size=3),
)


def returning(value):
    return lambda *args: value


def raising(*args):
    raise RuntimeError("learner's bug")


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=st.sampled_from(sorted(EXERCISES)), value=values, as_function=st.booleans())
def test_a_check_given_anything_returns_a_verdict_and_never_raises(name, value, as_function):
    verdict = getattr(Checks(), name)(*[returning(value) if as_function else value] * len(EXERCISES[name].names))
    assert isinstance(verdict, Verdict) and verdict.status in ("not answered", "failed")


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_code_that_raises_is_a_failed_verdict_naming_the_error(name):
    verdict = getattr(Checks(), name)(raising)
    if EXERCISES[name].names != (name,) or name in ("onehot_distance", "regimes"):  # values, not functions
        assert verdict.status == "failed"
    else:
        assert verdict.status == "failed" and "your code raised RuntimeError: learner's bug" in verdict.message


def test_an_answer_not_yet_written_is_not_answered_in_each_way_it_can_be_missing():
    checks = Checks()
    assert "is not defined: run the cell above" in checks.onehot().message  # not in this module's globals
    assert checks.onehot(...).status == checks.onehot(None).status == "not answered"
    assert "returns None" in checks.onehot(lambda symbol, symbols: None).message
    assert checks.regimes({0.0: "overfits", 0.2: ..., 0.8: "underfits"}).status == "not answered"


def test_a_check_reads_the_answer_where_it_is_called():
    def onehot(symbol, symbols):
        vector = np.zeros(len(symbols))
        vector[symbols.index(symbol)] = 1
        return vector

    namespace = {"onehot": onehot, "check": Checks()}
    exec("verdict = check.onehot()", namespace)
    assert namespace["verdict"].passed


def test_verdicts_show_as_one_line_as_escaped_html_and_as_json():
    verdict = Verdict("onehot", "failed", "got <b>2</b> & more")
    assert str(verdict) == "✘ onehot: failed: got <b>2</b> & more" and "\n" not in str(verdict)
    bundle = verdict._repr_mimebundle_()
    assert "got &lt;b&gt;2&lt;/b&gt; &amp; more" in bundle["text/html"] and "<b>2</b>" not in bundle["text/html"]
    assert bundle[MIME_TYPE] == {"exercise": "onehot", "status": "failed", "message": "got <b>2</b> & more"}
    with pytest.raises(ValueError, match="status must be one of"):
        Verdict("onehot", "almost")


def test_summary_lists_a_labs_exercises_in_order_unchecked_ones_not_answered():
    checks = Checks()
    checks.onehot_distance(2 ** 0.5)
    summary = checks.summary()
    assert isinstance(summary, Summary) and summary.lab == "lab1_symbols"
    assert [(v.exercise, v.status) for v in summary.verdicts] == [
        ("onehot", "not answered"), ("onehot_distance", "passed"), ("lookup", "not answered")]
    assert str(summary).splitlines()[0] == "lab1_symbols: 1 of 3 exercises passed"
    assert summary._repr_mimebundle_()[MIME_TYPE]["verdicts"][1]["status"] == "passed"
    with pytest.raises(ValueError, match="no lab 'lab9'; the labs: lab1_symbols, lab2_embedding"):
        checks.summary("lab9")
    assert Checks().summary("lab2_embedding").verdicts[0].status == "not answered"
    with pytest.raises(ValueError, match="no check has run yet in this kernel; name the lab, one of lab1_symbols"):
        Checks().summary()


def test_an_unknown_exercise_names_the_exercises():
    with pytest.raises(AttributeError, match="check has no exercise 'onehots'; the exercises: onehot, "):
        check.onehots  # noqa: B018
    assert "onehot" in dir(check) and "summary" in dir(check)


@pytest.mark.parametrize("dim", [0, 944, 2.0, True, "32", None])
def test_movie_vectors_refuse_a_size_that_is_not_a_whole_number_of_at_most_the_users(dim):
    from keras_workshop.labs import movie_vectors

    with pytest.raises(ValueError, match=r"movie_vectors: dim must be a whole number in \[1, 943\]"):
        movie_vectors(dim)
