"""keras_workshop: the Embeddings and Dropout Regularization slides in Keras 3.

The public API:

- symbols to ids to one-hot: `Vocabulary`, `onehot`
- the slides' layers and models: `keras_workshop.slides`, `Embedding`
- similarity: `euclidean_distance`, `cosine_similarity`, `nearest_neighbours`
- dropout: `dropout_mlp`, `SlideDropout`, `to_inverted_dropout`, `mc_dropout_predict`
- training and data: `fit_side_by_side`, `noisy_digits`, `as_dataset`
- export: `export_for_serving`; reproducibility: `set_deterministic`
"""

from keras_workshop.datasets import as_dataset, noisy_digits
from keras_workshop.dropout import SlideDropout, mc_dropout_predict, to_inverted_dropout
from keras_workshop.embedding import Embedding
from keras_workshop.export import export_for_serving
from keras_workshop.models import dropout_mlp
from keras_workshop.neighbours import nearest_neighbours
from keras_workshop.similarity import cosine_similarity, euclidean_distance
from keras_workshop.reproducibility import set_deterministic
from keras_workshop.training import fit_side_by_side
from keras_workshop.vocabulary import Vocabulary, onehot

__version__ = "0.1.0"

__all__ = [
    "Embedding",
    "SlideDropout",
    "as_dataset",
    "dropout_mlp",
    "export_for_serving",
    "fit_side_by_side",
    "mc_dropout_predict",
    "noisy_digits",
    "to_inverted_dropout",
    "Vocabulary",
    "cosine_similarity",
    "euclidean_distance",
    "nearest_neighbours",
    "onehot",
    "set_deterministic",
]
