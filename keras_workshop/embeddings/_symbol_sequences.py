"""The one check that a sequence of symbols is not a single string (which would be read as its characters)."""

from __future__ import annotations


def check_not_a_string(value, name: str) -> None:
    """Raises `ValueError` when `value`, expected to be a sequence of symbols, is one `str` or `bytes`.

    Python iterates a string by character, so `Vocabulary("abc")` would hold
    the symbols `"a"`, `"b"`, `"c"` and `probes="cat"` would watch three
    letters: a plausible, wrong answer. Every function that takes several
    symbols refuses a string instead, naming what to pass.

    Args:
        value: what the caller passed.
        name: the argument, as the message names it (`"Vocabulary: symbols"`).

    Example:

    >>> check_not_a_string(["the", "cat"], "probes")
    >>> check_not_a_string("the cat", "probes")
    Traceback (most recent call last):
    ...
    ValueError: probes: got the string 'the cat', which would be read as its 7 characters; expected a sequence of symbols: pass ['the cat'] for one symbol, or 'the cat'.split() for its words.
    """
    if not isinstance(value, (str, bytes)):
        return
    kind = "string" if isinstance(value, str) else "bytes"
    shown = repr(value) if len(value) <= 40 else repr(value[:40])[:-1] + "...'"
    split = f", or {shown}.split() for its words" if len(value.split()) > 1 else ""
    raise ValueError(
        f"{name}: got the {kind} {shown}, which would be read as its {len(value)} characters; "
        f"expected a sequence of symbols: pass [{shown}] for one symbol{split}."
    )
