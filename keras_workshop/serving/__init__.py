"""Serving: exports in TF Serving's layout, their signatures, requests, and the C++-loader check.

`export_for_serving` (atomic `<name>/<version>/` SavedModels with named signatures and a
stored sample request), `write_model_config` (TF Serving's `models.config`, written
with its own protos), `rest_request` and `grpc_request`, `signatures_of_export`, and
`ServedModel` and `replay_samples`, which load an export through TensorFlow's C++ loader (the
one TF Serving uses, bound through `TensorFlowCAPI`) without importing TensorFlow's Python API
(`python -m keras_workshop.check_export DIR` on the command line; `served_version` finds the
version TF Serving would serve in a model folder).

Importing this package loads nothing heavy: each name loads its module on first use.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_export": ["export_for_serving", "write_samples"],
        "_model_config": ["check_model_name", "write_model_config"],
        "_requests": ["grpc_request", "rest_request"],
        "_savedmodel_proto": ["signatures_of_export"],
        "_c_api": ["TensorFlowCAPI"],
        "_replay": ["replay_samples"],
        "_served_model": ["ServedModel", "served_version"],
    },
)
