"""TensorFlow's C API from the installed wheel, through ctypes: load a SavedModel as TF Serving does, run it.

`TF_LoadSessionFromSavedModel` (tag `serve`) is the same C++ `LoadSavedModel` that TF
Serving uses; signatures are read from the MetaGraphDef and run by their tensor names.
Nothing here imports TensorFlow's Python API.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os

import numpy as np

from keras_workshop.serving._savedmodel_proto import signature_defs

_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64, 10: np.bool_}
_CODES = {np.dtype(value): code for code, value in _DTYPES.items()}
_STRING = 7  # TF_STRING: elements are TF_TString structs
_TSTRING_SIZE = 24


class _Output(ctypes.Structure):
    _fields_ = [("oper", ctypes.c_void_p), ("index", ctypes.c_int)]


class _Buffer(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("length", ctypes.c_size_t), ("deallocator", ctypes.c_void_p)]


class TensorFlowCAPI:
    """The TensorFlow C API from the installed wheel, through ctypes: what `ServedModel` runs on.

    `TensorFlowCAPI.shared()` is the one instance of a process. Each `TF_*` function it
    uses is an attribute without its prefix (`NewStatus`, `SessionRun`, ...).
    """

    _instance = None

    @classmethod
    def shared(cls) -> "TensorFlowCAPI":
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
        return session, graph, signature_defs(data)

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
