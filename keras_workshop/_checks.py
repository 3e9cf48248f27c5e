"""The argument checks of every function of the package, each with one message format.

A bad argument is a `ValueError` (an `InvalidArgumentError` inside a graph) whose
message starts with where it happened and names the value and what was expected:
`"<where>: `<argument>` must be <expected>, got <value>."` for numbers,
`"<where>: id <id> is out of range: expected ids in [0, n) ..."` for ids,
`"<where>: got the string ..., expected a sequence of symbols ..."` for a string
where several symbols are expected. Nothing here imports TensorFlow until an
in-graph check runs.
"""

from __future__ import annotations

import numpy as np


def check_positive_int(value, argument: str, where: str = "") -> int:
    """Returns `value` as an `int`, or raises `ValueError` naming the argument and the value.

    Whole numbers of any integer type (`int`, NumPy integers) >= 1 pass; `True`,
    floats (even 3.0), NaN, 0, negative numbers and anything else do not.

    Example:

    >>> check_positive_int(np.int64(3), "dim", "Embedding")
    3
    >>> check_positive_int(0, "dim", "Embedding")
    Traceback (most recent call last):
    ...
    ValueError: Embedding: `dim` must be a positive integer, got 0.
    """
    return _check_whole(value, 1, "a positive integer", argument, where)


def check_non_negative_int(value, argument: str, where: str = "") -> int:
    """As `check_positive_int`, with 0 allowed.

    Example:

    >>> check_non_negative_int(0, "first_epoch", "array_batches")
    0
    >>> check_non_negative_int(-1, "first_epoch", "array_batches")
    Traceback (most recent call last):
    ...
    ValueError: array_batches: `first_epoch` must be a whole number >= 0, got -1.
    """
    return _check_whole(value, 0, "a whole number >= 0", argument, where)


def check_positive_ints(where: str = "", **sizes) -> None:
    """`check_positive_int` of each keyword argument, named by its keyword.

    Example:

    >>> check_positive_ints("field_tower", fields=4, dim=0)
    Traceback (most recent call last):
    ...
    ValueError: field_tower: `dim` must be a positive integer, got 0.
    """
    for argument, value in sizes.items():
        check_positive_int(value, argument, where)


def check_rate(value, argument: str = "rate", where: str = "") -> float:
    """Returns `value` as a `float` if it is a drop probability in `[0, 1)`, or raises `ValueError`.

    Example:

    >>> check_rate(0.5, where="SymbolDropout")
    0.5
    >>> check_rate(1.0, where="SymbolDropout")
    Traceback (most recent call last):
    ...
    ValueError: SymbolDropout: `rate` must be a number in [0, 1), got 1.0.
    """
    if not _is_number(value) or not 0 <= value < 1:
        _refuse(value, "a number in [0, 1)", argument, where)
    return float(value)


def check_finite_number(value, argument: str, where: str = "", minimum: float = 0.0, strict: bool = False) -> float:
    """Returns `value` as a `float` if it is finite and `>= minimum` (`> minimum` when `strict`), or raises.

    Example:

    >>> check_finite_number(400, "l2", "ease_weights", strict=True)
    400.0
    >>> check_finite_number(float("nan"), "prior", "group_popular_scores")
    Traceback (most recent call last):
    ...
    ValueError: group_popular_scores: `prior` must be a finite number >= 0, got nan.
    """
    if not _is_number(value) or not np.isfinite(value) or value < minimum or (strict and value == minimum):
        _refuse(value, f"a finite number {'>' if strict else '>='} {minimum:g}", argument, where)
    return float(value)


def check_int_in_range(value, low: int, high: int, argument: str, where: str = "") -> int:
    """Returns `value` as an `int` if it is a whole number in `[low, high]`, or raises `ValueError`.

    Example:

    >>> check_int_in_range(4, 1, 3, "k", "top_k")
    Traceback (most recent call last):
    ...
    ValueError: top_k: `k` must be an integer in [1, 3], got 4.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        _refuse(value, f"an integer in [{low}, {high}]", argument, where)
    return int(value)


def _is_number(value) -> bool:
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, float, np.integer, np.floating))


def _check_whole(value, smallest: int, expected: str, argument: str, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < smallest:
        _refuse(value, expected, argument, where)
    return int(value)


def _refuse(value, expected: str, argument: str, where: str):
    prefix = f"{where}: " if where else ""
    raise ValueError(f"{prefix}`{argument}` must be {expected}, got {value!r}.")



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

def out_of_range_message(name: str, first, num_ids: int, count: int) -> str:
    """The one message of a bad id, eager or in a graph, for `ValueError` and `InvalidArgumentError` alike."""
    return (f"{name}: id {first} is out of range: expected ids in [0, {num_ids}) (whole numbers). "
            f"Out-of-range ids: {count}")


def _bad_ids(values: np.ndarray, num_ids: int, name: str, error) -> None:
    """Raises `error` with the one message if `values` are not whole numbers in `[0, num_ids)`."""
    if values.dtype.kind not in "iuf":
        raise error(f"{name}: expected integer ids, got dtype {values.dtype}.")
    # Compared as given: 1.5 or 2**32 + 3 is not read as row 1 or 3; NaN is no id.
    bad = ~((values >= 0) & (values < num_ids) & (values == np.floor(values)))
    if bad.any():
        raise error(out_of_range_message(name, values[bad][0], num_ids, int(bad.sum())))


def _invalid_argument(message: str):
    import tensorflow as tf

    return tf.errors.InvalidArgumentError(None, None, message)


def check_ids(ids, num_ids: int, name: str = "ids") -> np.ndarray:
    """Returns `ids` as an int64 array, or raises `ValueError` naming a bad id (whole floats are ids).

    Args:
        ids: an integer or an array-like of integers.
        num_ids: the number of valid ids; valid ids are `0 .. num_ids - 1`.
        name: what the message names (the function and the argument).

    Example:

    >>> check_ids([3, 4.0], 10).tolist()
    [3, 4]
    >>> check_ids([3, 12], 10, "Vocabulary.to_symbols")
    Traceback (most recent call last):
    ...
    ValueError: Vocabulary.to_symbols: id 12 is out of range: expected ids in [0, 10) (whole numbers). Out-of-range ids: 1
    """
    array = np.asarray(ids)
    _bad_ids(array.ravel(), num_ids, name, ValueError)
    return array.astype(np.int64)


def assert_ids_in_range(ids, num_ids: int, name: str):
    """Returns `ids` with an in-graph check that every id is in `[0, num_ids)`.

    Eagerly, bad ids raise `tf.errors.InvalidArgumentError` at once. In a
    graph the check is a `tf.debugging.Assert`, so it stays in traced functions and
    exported SavedModels and fails the same on CPU and GPU. XLA drops
    assertions: callers that validate must not be compiled with XLA.
    """
    import tensorflow as tf

    if tf.executing_eagerly():
        _bad_ids(np.asarray(ids).ravel(), num_ids, name, _invalid_argument)
        return ids
    flat = tf.reshape(ids, [-1])
    if flat.dtype.is_floating:  # compared as given (never truncated): NaN, 1.5 and -0.5 are bad ids
        bad = tf.logical_not((flat >= 0) & (flat < num_ids) & tf.equal(flat, tf.floor(flat)))
        # TensorFlow's CPU kernels read subnormal floats (1e-45) as 0: told apart by their bits.
        bits = tf.bitcast(flat, {16: tf.int16, 32: tf.int32, 64: tf.int64}[flat.dtype.size * 8])
        magnitude = tf.bitwise.bitwise_and(bits, tf.constant(np.iinfo(bits.dtype.as_numpy_dtype).max, bits.dtype))
        bad = bad | (tf.equal(flat, 0) & tf.not_equal(magnitude, 0))
    else:
        flat = tf.cast(flat, tf.int64)
        bad = tf.logical_or(flat < 0, flat >= num_ids)
    first_bad = tf.boolean_mask(flat, bad)[:1]  # empty when all are good, and for an empty batch
    check = tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(bad)),
        [
            f"{name}: id",
            first_bad,
            f"is out of range: expected ids in [0, {num_ids}) (whole numbers). Out-of-range ids:",
            tf.reduce_sum(tf.cast(bad, tf.int32)),
        ],
    )
    with tf.control_dependencies([check]):
        return tf.identity(ids)
