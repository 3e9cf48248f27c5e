"""keras_workshop: the Embeddings and Dropout Regularization slides in Keras 3.

The public API:

- symbols to ids to one-hot: `Vocabulary`, `onehot`
- the slides' layers and models: `keras_workshop.slides`, `Embedding`
- similarity: `euclidean_distance`, `cosine_similarity`, `nearest_neighbours`
"""

from keras_workshop.embedding import Embedding
from keras_workshop.neighbours import nearest_neighbours
from keras_workshop.similarity import cosine_similarity, euclidean_distance
from keras_workshop.vocabulary import Vocabulary, onehot

__version__ = "0.1.0"

__all__ = [
    "Embedding",
    "Vocabulary",
    "cosine_similarity",
    "euclidean_distance",
    "nearest_neighbours",
    "onehot",
]
