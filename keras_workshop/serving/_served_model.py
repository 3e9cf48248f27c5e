"""Exports loaded the way TF Serving loads them: TensorFlow's C++ loader, no Python TensorFlow.

`ServedModel` loads a `<name>/<version>/` SavedModel with `TF_LoadSessionFromSavedModel`
(tag `serve`) from the TensorFlow wheel's C library, the same C++ `LoadSavedModel` that
TF Serving uses, reads the signatures from the MetaGraphDef and runs them by the
signatures' tensor names. `replay_samples` replays every sample stored by
`export_for_serving` (`assets.extra/keras_workshop_samples.json`) and compares the
results with the Keras outputs stored beside them. Nothing here imports TensorFlow's
Python API: an export that only `tf.saved_model.load` can read (a `tf.saved_model.save`
of a Keras 3 model, a `tf.py_function` in a signature) fails here as it would in TF
Serving. On the command line: `python -m keras_workshop.check_export DIR [DIR ...]`, where a DIR is a
version folder or a model folder (its highest numeric version is checked, as TF Serving serves it).
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import json
import os
import sys

import numpy as np

from keras_workshop.serving._model_config import versions
from keras_workshop.serving._savedmodel_proto import signature_defs as _signature_defs

_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64, 10: np.bool_}
_CODES = {np.dtype(value): code for code, value in _DTYPES.items()}
_STRING = 7  # TF_STRING: elements are TF_TString structs
_TSTRING_SIZE = 24
_PREDICT = "tensorflow/serving/predict"


class ServedModel:
    """An export loaded through TensorFlow's C++ loader, as TF Serving loads it.

    Args:
        export_dir: a SavedModel folder (`<name>/<version>/`).

    Attributes:
        signatures: signature name -> `(method, {input: tensor}, {output: tensor})`.

    Raises:
        RuntimeError: when the C++ loader cannot load the export (with its message).

    Example:

    >>> import tempfile
    >>> from keras_workshop import slides
    >>> from keras_workshop.serving import export_for_serving
    >>> model = slides.Sequential()
    >>> model.add(slides.Embedding(output_dim=4, input_dim=10, input_length=1))
    >>> export_dir = export_for_serving(model, "lab", tempfile.mkdtemp(), output_name="vectors")
    >>> served = ServedModel(export_dir)
    >>> answer = served.run("neighbours", {"ids": np.array([3], np.int32), "k": np.int32(5)})
    >>> answer["neighbour_ids"].shape, answer["scores"].dtype
    ((1, 5), dtype('float32'))
    >>> served.close()  # frees the C++ session and graph (or: `with ServedModel(export_dir) as served:`)
    """

    def __init__(self, export_dir: str):
        self.export_dir = export_dir
        self._library = _Library.shared()
        self._session = None
        self._session, self._graph, self.signatures = self._library.load(export_dir)

    def close(self) -> None:
        """Frees the C++ session and graph; `run` is then an error. Closing twice is fine."""
        if self._session is not None:
            session, self._session = self._session, None
            self._library.close(session, self._graph)

    def __enter__(self) -> "ServedModel":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self):
        if getattr(self, "_session", None) is not None:
            self.close()

    def run(self, signature_name: str, inputs: dict, outputs: list[str] | None = None) -> dict:
        """Runs one signature by its input names; returns `{output name: NumPy array}`.

        Args:
            signature_name: e.g. `"serving_default"`.
            inputs: input name -> array (NumPy dtypes map to TensorFlow's;
                strings as object arrays).
            outputs: the outputs to fetch; by default all of them.

        Raises:
            KeyError: an unknown signature, input or output name.
            RuntimeError: what the served graph raised (for example a bad id).
        """
        if self._session is None:
            raise RuntimeError(f"ServedModel({self.export_dir!r}) is closed; load the export again to run it.")
        if signature_name not in self.signatures:
            raise KeyError(f"{self.export_dir} has no signature {signature_name!r}; it has {sorted(self.signatures)}.")
        _, input_tensors, output_tensors = self.signatures[signature_name]
        unknown = set(inputs) ^ set(input_tensors)
        if unknown:
            raise KeyError(f"signature {signature_name!r} takes inputs {sorted(input_tensors)}, got {sorted(inputs)}.")
        names = list(output_tensors) if outputs is None else list(outputs)
        feeds = {input_tensors[key]: value for key, value in inputs.items()}
        results = self._library.run(self._session, self._graph, feeds, [output_tensors[name] for name in names])
        return dict(zip(names, results))


def replay_samples(path: str):
    """Yields `(message, ok)` for loading the export at `path` and for each stored sample.

    Example:

    >>> import tempfile
    >>> from keras_workshop.dropout import dropout_mlp
    >>> from keras_workshop.serving import export_for_serving
    >>> export_dir = export_for_serving(dropout_mlp(8, (16,)), "mlp", tempfile.mkdtemp())
    >>> all(ok for message, ok in replay_samples(export_dir))
    True
    """
    try:
        served = ServedModel(path)
    except RuntimeError as error:
        yield f"{path}: load failed: {error}", False
        return
    with served:
        yield from _replay(path, served)


def _replay(path: str, served: "ServedModel"):
    signatures = served.signatures
    yield f"{path}: loaded with tag 'serve'; signatures {sorted(signatures)}", True
    if "serving_default" not in signatures:
        yield f"{path}: no 'serving_default' signature", False
    samples_path = os.path.join(path, "assets.extra", "keras_workshop_samples.json")
    if not os.path.exists(samples_path):
        yield f"{path}: no stored samples ({samples_path}); nothing was run", False
        return
    with open(samples_path) as file:
        samples = json.load(file)
    for name, sample in samples.items():
        if name not in signatures:
            yield f"{path}: sample for unknown signature {name!r}", False
            continue
        method = signatures[name][0]
        if method != _PREDICT:
            yield f"{path}: {name}: method {method!r}, expected {_PREDICT!r}", False
        inputs = {key: _decode(value) for key, value in sample["inputs"].items()}
        try:
            results = served.run(name, inputs, list(sample["outputs"]))
        except (RuntimeError, KeyError) as error:
            yield f"{path}: {name}: run failed: {error}", False
            continue
        for key, result in results.items():
            expected = _decode(sample["outputs"][key])
            if result.shape != expected.shape:
                same, detail = False, f"shape {result.shape} vs {expected.shape}"
            elif expected.dtype == object or expected.dtype == bool:
                same = bool(np.all(result == expected))
                detail = "equal" if same else f"differs: {result.ravel()[:6]} vs {expected.ravel()[:6]}"
            else:
                same = np.allclose(result, expected, rtol=1e-5, atol=1e-6)
                detail = f"max difference {np.max(np.abs(result - expected)):.2e}"
            yield f"{path}: {name} -> {key}: {detail}", bool(same)


def main(argv: list[str] | None = None) -> int:
    """The command line: checks each export given; exit status 0 when all load and match, 1 if not, 2 on bad usage."""
    parser = argparse.ArgumentParser(
        prog="python -m keras_workshop.check_export",
        description="Loads each export with TensorFlow's C++ loader, as TF Serving does, and replays its stored "
                    "samples. Exit status 0 when every export loads and every sample matches, 1 otherwise.",
    )
    parser.add_argument("exports", nargs="+", metavar="EXPORT_DIR",
                        help="a version folder (saved_models/NAME/VERSION), or a model folder (saved_models/NAME), "
                             "of which the highest numeric version is checked, as TF Serving serves it")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    failures = 0
    for path in args.exports:
        try:
            version_dir = served_version(path)
        except ValueError as error:
            print(f"FAIL  {error}")
            failures += 1
            continue
        for line, ok in replay_samples(version_dir):
            print(("ok    " if ok else "FAIL  ") + line)
            failures += not ok
    leaked = "tensorflow" in sys.modules
    if leaked:
        print("FAIL  TensorFlow's Python API was imported; the check is not independent of it")
    return 1 if failures or leaked else 0


def served_version(path: str) -> str:
    """The SavedModel folder TF Serving would load for `path`: `path` itself, or its highest numeric version.

    Raises:
        ValueError: `path` is no folder, or neither a SavedModel nor a folder of numeric versions.

    Example:

    >>> import tempfile
    >>> model_dir = tempfile.mkdtemp()
    >>> for version in ("1", "2", "10"):
    ...     os.makedirs(os.path.join(model_dir, version))
    ...     open(os.path.join(model_dir, version, "saved_model.pb"), "w").close()
    >>> os.path.basename(served_version(model_dir))
    '10'
    """
    if not os.path.isdir(path):
        raise ValueError(f"{path}: no such folder; expected an export (saved_models/NAME/VERSION) or a model "
                         "folder (saved_models/NAME).")
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    numbers = versions(path)
    if not numbers:
        raise ValueError(f"{path}: neither a SavedModel (no saved_model.pb) nor a model folder with numeric "
                         "version folders.")
    return os.path.join(path, str(max(numbers)))


def _decode(encoded: dict) -> np.ndarray:
    dtype = object if encoded["dtype"] == "str" else encoded["dtype"]
    return np.asarray(encoded["values"], dtype=dtype).reshape(encoded["shape"])


class _Output(ctypes.Structure):
    _fields_ = [("oper", ctypes.c_void_p), ("index", ctypes.c_int)]


class _Buffer(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("length", ctypes.c_size_t), ("deallocator", ctypes.c_void_p)]


class _Library:
    """The TensorFlow C API from the installed wheel, through ctypes."""

    _instance = None

    @classmethod
    def shared(cls) -> "_Library":
        """One instance per process: the C library is loaded once."""
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def __init__(self):
        spec = importlib.util.find_spec("tensorflow")  # locates the wheel without importing it
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("TensorFlow is not installed: its C library is needed to check exports.")
        folder = list(spec.submodule_search_locations)[0]
        # Local symbol scope: global TensorFlow symbols clash with other extensions (numpy.random).
        framework = ctypes.CDLL(os.path.join(folder, "libtensorflow_framework.so.2"))
        main = ctypes.CDLL(os.path.join(folder, "libtensorflow_cc.so.2"))
        P, I64 = ctypes.c_void_p, ctypes.c_int64
        signatures = {
            "TF_NewStatus": (P, []),
            "TF_DeleteStatus": (None, [P]),
            "TF_GetCode": (ctypes.c_int, [P]),
            "TF_Message": (ctypes.c_char_p, [P]),
            "TF_NewGraph": (P, []),
            "TF_DeleteGraph": (None, [P]),
            "TF_NewSessionOptions": (P, []),
            "TF_DeleteSessionOptions": (None, [P]),
            "TF_NewBuffer": (ctypes.POINTER(_Buffer), []),
            "TF_DeleteBuffer": (None, [ctypes.POINTER(_Buffer)]),
            "TF_CloseSession": (None, [P, P]),
            "TF_DeleteSession": (None, [P, P]),
            "TF_LoadSessionFromSavedModel": (
                P, [P, P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, P, ctypes.POINTER(_Buffer), P]
            ),
            "TF_GraphOperationByName": (P, [P, ctypes.c_char_p]),
            "TF_AllocateTensor": (P, [ctypes.c_int, ctypes.POINTER(I64), ctypes.c_int, ctypes.c_size_t]),
            "TF_DeleteTensor": (None, [P]),
            "TF_TensorData": (P, [P]),
            "TF_TensorByteSize": (ctypes.c_size_t, [P]),
            "TF_TensorType": (ctypes.c_int, [P]),
            "TF_NumDims": (ctypes.c_int, [P]),
            "TF_Dim": (I64, [P, ctypes.c_int]),
            "TF_StringInit": (None, [P]),
            "TF_StringCopy": (None, [P, ctypes.c_char_p, ctypes.c_size_t]),
            "TF_StringGetDataPointer": (P, [P]),
            "TF_StringGetSize": (ctypes.c_size_t, [P]),
            "TF_SessionRun": (
                None,
                [P, P, ctypes.POINTER(_Output), ctypes.POINTER(P), ctypes.c_int, ctypes.POINTER(_Output),
                 ctypes.POINTER(P), ctypes.c_int, P, ctypes.c_int, P, P],
            ),
        }
        for name, (result, arguments) in signatures.items():
            function = getattr(main, name, None) or getattr(framework, name)
            function.restype, function.argtypes = result, arguments
            setattr(self, name[3:], function)

    def load(self, path: str):
        """`(session, graph, signatures)`; the caller frees the session and graph (`close`)."""
        status, graph, meta, options = self.NewStatus(), self.NewGraph(), self.NewBuffer(), self.NewSessionOptions()
        tags = (ctypes.c_char_p * 1)(b"serve")
        try:
            session = self.LoadSessionFromSavedModel(options, None, os.fsencode(path), tags, 1, graph, meta, status)
            try:
                self._raise_on_error(status)
            except RuntimeError:
                self.DeleteGraph(graph)
                raise
            data = ctypes.string_at(meta.contents.data, meta.contents.length)
        finally:
            self.DeleteBuffer(meta)
            self.DeleteSessionOptions(options)
            self.DeleteStatus(status)
        return session, graph, _signature_defs(data)

    def close(self, session, graph) -> None:
        """Closes and frees a session from `load`, then its graph."""
        status = self.NewStatus()
        try:
            self.CloseSession(session, status)
            self.DeleteSession(session, status)
        finally:
            self.DeleteStatus(status)
            self.DeleteGraph(graph)

    def run(self, session, graph, feeds: dict, fetches: list[str]) -> list[np.ndarray]:
        inputs = (_Output * len(feeds))(*(self._output(graph, name) for name in feeds))
        outputs = (_Output * len(fetches))(*(self._output(graph, name) for name in fetches))
        values = (ctypes.c_void_p * len(feeds))()
        results = (ctypes.c_void_p * len(fetches))()
        status = self.NewStatus()
        try:
            for number, array in enumerate(feeds.values()):
                values[number] = self._tensor(array)
            self.SessionRun(session, None, inputs, values, len(feeds), outputs, results, len(fetches), None, 0, None,
                            status)
            self._raise_on_error(status)
            return [self._array(tensor) for tensor in results]
        finally:
            for tensor in (*values, *results):
                if tensor:
                    self.DeleteTensor(tensor)
            self.DeleteStatus(status)

    def _array(self, tensor) -> np.ndarray:
        """A NumPy copy of an output tensor."""
        shape = tuple(self.Dim(tensor, axis) for axis in range(self.NumDims(tensor)))
        data = self.TensorData(tensor)
        if self.TensorType(tensor) == _STRING:
            elements = [
                ctypes.string_at(
                    self.StringGetDataPointer(data + i * _TSTRING_SIZE), self.StringGetSize(data + i * _TSTRING_SIZE)
                ).decode()
                for i in range(int(np.prod(shape)))
            ]
            return np.array(elements, dtype=object).reshape(shape)
        raw = ctypes.string_at(data, self.TensorByteSize(tensor))
        return np.frombuffer(raw, dtype=_DTYPES[self.TensorType(tensor)]).reshape(shape).copy()

    def _output(self, graph, tensor_name: str) -> _Output:
        operation, _, index = tensor_name.partition(":")
        handle = self.GraphOperationByName(graph, operation.encode())
        if not handle:
            raise KeyError(f"no operation {operation!r} in the graph")
        return _Output(handle, int(index or 0))

    def _tensor(self, array: np.ndarray):
        array = np.asarray(array)
        dims = (ctypes.c_int64 * array.ndim)(*array.shape)
        if array.dtype == object:
            tensor = self.AllocateTensor(_STRING, dims, array.ndim, array.size * _TSTRING_SIZE)
            data = self.TensorData(tensor)
            for i, value in enumerate(array.ravel()):
                encoded = str(value).encode()
                self.StringInit(data + i * _TSTRING_SIZE)
                self.StringCopy(data + i * _TSTRING_SIZE, encoded, len(encoded))
            return tensor
        array = np.asarray(array, order="C")  # keeps 0-d (scalar) inputs 0-d
        if array.dtype not in _CODES:
            raise ValueError(
                f"ServedModel: cannot send an input of dtype {array.dtype}; expected one of "
                f"{sorted(dtype.name for dtype in _CODES)} (int32 for ids), or strings."
            )
        tensor = self.AllocateTensor(_CODES[array.dtype], dims, array.ndim, array.nbytes)
        ctypes.memmove(self.TensorData(tensor), array.ctypes.data, array.nbytes)
        return tensor

    def _raise_on_error(self, status) -> None:
        code = self.GetCode(status)
        if code:
            raise RuntimeError(f"TensorFlow status {code}: {self.Message(status).decode(errors='replace')}")
