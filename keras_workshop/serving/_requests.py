"""Requests for TF Serving: REST JSON bodies and gRPC `PredictRequest` protos."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from keras_workshop.serving._input_forms import check_request_inputs, nested_shape
from keras_workshop.serving._savedmodel_proto import signature_input_specs, signatures_of_export


def rest_request(
    inputs: Mapping[str, object],
    signature_name: str = "serving_default",
    rows: bool = False,
    export_dir: str | None = None,
) -> dict:
    """The JSON body of a TF Serving REST predict request (`POST /v1/models/<name>:predict`).

    Args:
        inputs: input name -> values (array-likes; strings for symbol signatures).
        signature_name: the signature to run.
        rows: the row format (`"instances"`, one entry per example; every input
            needs the same batch size) instead of the columnar one (`"inputs"`).
        export_dir: when given, the request is checked against the signature
            there before it is sent: the input names, each value's kind
            (strings, whole numbers, finite numbers), rank and fixed sizes,
            and one batch size across the batched inputs.

    Raises:
        ValueError: naming the input and its expected form. Ragged rows are
            refused with or without `export_dir` (pad them, with `""` for titles).

    Example:

    >>> rest_request({"ids": [3, 7], "k": 5}, "neighbours")
    {'signature_name': 'neighbours', 'inputs': {'ids': [3, 7], 'k': 5}}
    """
    _check_names(inputs, signature_name, export_dir)
    for name, value in inputs.items():
        nested_shape(value, name)
    columns = {name: np.asarray(value).tolist() for name, value in inputs.items()}
    if not rows:
        return {"signature_name": signature_name, "inputs": columns}
    sizes = {name: np.shape(value)[0] if np.ndim(value) else None for name, value in inputs.items()}
    if None in sizes.values() or len(set(sizes.values())) != 1:
        raise ValueError(
            f"rest_request: the row format needs inputs with one batch size, got {sizes}; "
            "use rows=False (columnar) for scalar inputs such as k."
        )
    (size,) = set(sizes.values())
    if len(columns) == 1:
        (values,) = columns.values()
        return {"signature_name": signature_name, "instances": values}
    instances = [{name: column[i] for name, column in columns.items()} for i in range(size)]
    return {"signature_name": signature_name, "instances": instances}


def grpc_request(
    inputs: Mapping[str, object],
    model_name: str,
    signature_name: str = "serving_default",
    version: int | None = None,
    export_dir: str | None = None,
):
    """A `tensorflow_serving.apis.predict_pb2.PredictRequest` for `PredictionService.Predict`.

    Example:

    >>> request = grpc_request({"ids": np.array([3], np.int32), "k": np.int32(5)}, "word_embeddings", "neighbours")
    >>> stub.Predict(request, timeout=5.0)  # doctest: +SKIP
    """
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    _check_names(inputs, signature_name, export_dir)
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = version
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def _check_names(inputs: Mapping[str, object], signature_name: str, export_dir: str | None) -> None:
    if export_dir is None:
        return
    signatures = signatures_of_export(export_dir)
    if signature_name not in signatures:
        names = sorted(name for name in signatures if not name.startswith("__"))
        raise ValueError(f"{export_dir} has no signature {signature_name!r}; it has {names}.")
    expected = set(signatures[signature_name][1])
    if set(inputs) != expected:
        raise ValueError(
            f"signature {signature_name!r} of {export_dir} takes inputs {sorted(expected)}, got {sorted(inputs)}."
        )
    check_request_inputs(inputs, signature_input_specs(export_dir, signature_name),
                         f"signature {signature_name!r} of {export_dir}")
