"""What each served input must be (rank, dtype, one batch size), checked inside the graph and before a request."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

_KINDS = {"string": "strings", "bool": "booleans"}


def expected_form(dtype: str, shape: tuple | None) -> str:
    """Words for one input's form: `a (batch, m) tensor of strings`, `one int32 (a scalar)`.

    Example:

    >>> expected_form("string", (None, None)), expected_form("int32", ()), expected_form("float32", (None, 64))
    ('a (batch, m) tensor of strings', 'one int32 (a scalar)', 'a (batch, 64) tensor of float32')
    """
    kind = _KINDS.get(dtype, dtype)
    if shape is None:
        return f"a tensor of {kind}"
    if not shape:
        return f"one {dtype} (a scalar)"
    names = iter("mnpq")
    dims = ["batch" if i == 0 and size is None else str(size) if size is not None else next(names, "?")
            for i, size in enumerate(shape)]
    return f"a ({', '.join(dims)}{',' if len(dims) == 1 else ''}) tensor of {kind}"


def batched(shape: tuple | None) -> bool:
    """Whether an input's first dimension is the batch (any size, shared by every batched input)."""
    return bool(shape) and shape[0] is None


def checked_signature(function, input_signature: Sequence, signature_name: str):
    """`function` behind in-graph checks of each input's rank, fixed sizes and the inputs' one batch size.

    TensorFlow Serving and the C++ loader feed tensors of any shape to a
    signature; without these checks a wrong rank fails deep inside the graph
    (`Attempting to slice scalar input`) or, worse, computes. Each failure
    names the signature, the input, its expected form and the shape given
    (`[]` for a scalar); a batch-size disagreement is reported once every
    input has its form.
    """
    import tensorflow as tf

    specs = list(input_signature)
    forms = [expected_form(spec.dtype.name, tuple(spec.shape)) for spec in specs]

    def checked(*inputs):
        checks, forms_ok, firsts = [], [], []
        for spec, form, value in zip(specs, forms, inputs):
            # Shape and Rank ops are read at run time; graph optimisation does not fold them into the
            # traced shape. The shape is padded so that no check can fail by reading past its end.
            shape = tf.raw_ops.Shape(input=value)
            firsts.append(tf.concat([shape, [-1]], axis=0)[0])
            padded = tf.concat([shape, tf.fill([len(spec.shape) + 1], -1)], axis=0)
            ok = tf.equal(tf.raw_ops.Rank(input=value), len(spec.shape))
            for axis, size in enumerate(spec.shape):
                if size is not None:
                    ok = ok & tf.equal(padded[axis], size)
            forms_ok.append(ok)
            checks.append(tf.debugging.Assert(
                ok, [f"{signature_name}: input `{spec.name}` must be {form}, got a tensor of shape", shape],
                summarize=8,
            ))
        batch = [(spec.name, first) for spec, first in zip(specs, firsts) if batched(tuple(spec.shape))]
        if len(batch) > 1:
            counts = tf.stack([count for _, count in batch])
            checks.append(tf.debugging.Assert(
                tf.logical_not(tf.reduce_all(tf.stack(forms_ok))) | tf.reduce_all(tf.equal(counts, counts[0])),
                [f"{signature_name}: inputs {', '.join(name for name, _ in batch)} must have the same batch size "
                 "(one row per example), got", counts],
                summarize=len(batch),
            ))
        with tf.control_dependencies(checks):
            inputs = [tf.identity(value) for value in inputs]
        return function(*inputs)

    return checked


def check_request_inputs(inputs: Mapping[str, object], specs: Mapping[str, tuple], where: str) -> None:
    """Checks a request's values against a signature's `{input: (dtype, shape)}` before it is sent.

    What the served graph checks, checked here first with the input named:
    the kind of every value (strings, whole numbers, finite numbers, booleans),
    the rank, fixed sizes, rows of one length (a ragged list must be padded,
    with `""` for titles), and one batch size across the batched inputs.

    Raises:
        ValueError: naming the input, its expected form and what was given.
    """
    batch = {}
    for name, value in inputs.items():
        dtype, shape = specs[name]
        form = expected_form(dtype, shape)
        given_shape, leaves = nested_shape(value, name, dtype)
        if shape is not None and len(given_shape) != len(shape):
            raise ValueError(f"{where}: input `{name}` must be {form}, got {_describe(value, given_shape)}.")
        if shape is not None:
            for expected, size in zip(shape, given_shape):
                if expected is not None and expected != size:
                    raise ValueError(f"{where}: input `{name}` must be {form}, got shape {given_shape}.")
        for leaf in leaves:
            problem = _wrong_kind(leaf, dtype)
            if problem:
                raise ValueError(f"{where}: input `{name}` must be {form}, got {problem}.")
        if batched(shape):
            batch[name] = given_shape[0]
    if len(set(batch.values())) > 1:
        raise ValueError(f"{where}: inputs {', '.join(batch)} must have the same batch size "
                         f"(one row per example), got {list(batch.values())}.")


def nested_shape(value, name: str, dtype: str = ""):
    """The shape and the leaves of an array or nested lists; ragged rows are an error that says how to pad."""
    if isinstance(value, np.ndarray):
        return value.shape, value.ravel().tolist()
    if not isinstance(value, (list, tuple)):
        return (), [value.item() if isinstance(value, np.generic) else value]
    shapes, leaves = [], []
    for row in value:
        shape, row_leaves = nested_shape(row, name, dtype)
        shapes.append(shape)
        leaves.extend(row_leaves)
    if len(set(shapes)) > 1:
        lengths = sorted({shape[0] if shape else 0 for shape in shapes})
        strings = dtype == "string" or any(isinstance(leaf, (str, bytes)) for leaf in leaves)
        pad = 'pad each row with "" to one length' if strings else "pad each row to one length"
        raise ValueError(f"input `{name}` has rows of different lengths {lengths}; {pad}.")
    return (len(value),) + (shapes[0] if shapes else ()), leaves


def _describe(value, shape) -> str:
    if not shape:
        return f"the scalar {value!r}"
    return f"shape {shape}"


def _wrong_kind(leaf, dtype: str) -> str | None:
    """None when `leaf` fits `dtype`, else words for what it is."""
    if dtype == "string":
        return None if isinstance(leaf, (str, bytes)) else f"the non-string {leaf!r}"
    if isinstance(leaf, (str, bytes)):
        return f"the string {leaf!r}"
    if dtype == "bool":
        return None if isinstance(leaf, bool) else f"the non-boolean {leaf!r}"
    if isinstance(leaf, bool):
        return f"the boolean {leaf!r}"
    if "int" in dtype:
        if not isinstance(leaf, int):
            return f"{leaf!r}, which is not a whole number"
        info = np.iinfo(dtype)
        return None if info.min <= leaf <= info.max else f"{leaf}, outside {dtype}'s range [{info.min}, {info.max}]"
    if not isinstance(leaf, (int, float)) or not np.isfinite(leaf):
        return f"{leaf!r}, which is not a finite number"
    return None
