"""keras_workshop: the Embeddings and Dropout Regularization slides in Keras 3.

The public API (imported on first use, so `import keras_workshop` stays cheap and
`python -m keras_workshop.check_export` never loads TensorFlow's Python API):

- symbols to ids to one-hot: `Vocabulary`, `onehot`
- the slides' layers and models: `keras_workshop.slides`, `Embedding`
- similarity: `euclidean_distance`, `cosine_similarity`, `nearest_neighbours`, and the
  training callback `CosineNeighbours`
- dropout: `dropout_mlp`, `SlideDropout`, `to_inverted_dropout`, `mc_dropout_predict`
- training and data: `fit_side_by_side`, `noisy_digits`, `as_dataset`
- export: `export_for_serving`, `write_model_config`; reproducibility: `set_deterministic`
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "CosineNeighbours": "cosine_neighbours",
    "Embedding": "embedding",
    "SlideDropout": "dropout",
    "Vocabulary": "vocabulary",
    "as_dataset": "datasets",
    "cosine_similarity": "similarity",
    "dropout_mlp": "models",
    "euclidean_distance": "similarity",
    "export_for_serving": "export",
    "fit_side_by_side": "training",
    "mc_dropout_predict": "dropout",
    "nearest_neighbours": "neighbours",
    "noisy_digits": "datasets",
    "onehot": "vocabulary",
    "set_deterministic": "reproducibility",
    "to_inverted_dropout": "dropout",
    "write_model_config": "export",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"keras_workshop.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keras_workshop' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
