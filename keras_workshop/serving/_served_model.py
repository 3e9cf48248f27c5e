"""Exports loaded the way TF Serving loads them: TensorFlow's C++ loader, no Python TensorFlow.

`ServedModel` loads a `<name>/<version>/` SavedModel through `TensorFlowCAPI` (the TensorFlow
wheel's C library: the same C++ `LoadSavedModel` that TF Serving uses) and runs its
signatures by their input names; `served_version` finds the version TF Serving would
serve in a model folder. An export that only `tf.saved_model.load` can read (a
`tf.saved_model.save` of a Keras 3 model, a `tf.py_function` in a signature) fails here as
it would in TF Serving.
"""

from __future__ import annotations

import os

from keras_workshop.serving._c_api import TensorFlowCAPI
from keras_workshop.serving._model_config import versions


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
        self._library = TensorFlowCAPI.shared()
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
