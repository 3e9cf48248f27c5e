"""keras_workshop: the Embeddings and Dropout Regularization slides in Keras 3.

One subpackage per topic of the slides; each re-exports its public names, and this
package re-exports all of them (loaded on first use, so `import keras_workshop` stays
cheap and `python -m keras_workshop.check_export` never loads TensorFlow's Python API):

- `keras_workshop.slides`: the slides' Keras 1 spelling (`Sequential`, `Embedding`, `Dense`,
  `Dropout`, ...), building ordinary Keras 3 models
- `keras_workshop.embeddings`: `Vocabulary`, `onehot`, `Embedding`, `euclidean_distance`,
  `cosine_similarity`, `unit_rows`, `nearest_neighbours`, `CosineNeighbours`, `write_projector`
- `keras_workshop.dropout`: `SlideDropout`, `to_inverted_dropout`, `mc_dropout_predict`,
  `dropout_mlp`, `noisy_digits`, `side_by_side_model`
- `keras_workshop.word2vec`: corpora, the skip-gram pairs pipeline and model
- `keras_workshop.movielens`: MovieLens-100k, users, items and descriptors as symbols
- `keras_workshop.recommenders`: rating and top-k models, their training, metrics, baselines,
  splits and served signatures
- `keras_workshop.serving`: `export_for_serving`, `write_model_config`, requests, `ServedModel`
- `keras_workshop.runtime`: `set_deterministic`, devices, `tf.distribute` strategies, `Model`, the recipe options
- `keras_workshop.labs`: the labs' self-checking exercises (`check.<exercise>()`, `Verdict`)
- `keras_workshop.notebooks`: each recipe as a Jupyter notebook (`write_notebooks`, `with_settings`)
- `keras_workshop.plots`: the slides' figures (shown below the cell in a notebook)
"""

import lazy_loader

from keras_workshop import dropout, embeddings, labs, movielens, notebooks, recommenders, runtime, serving, word2vec

__version__ = "0.1.0"

_SUBPACKAGES = {"dropout": dropout, "embeddings": embeddings, "labs": labs, "movielens": movielens, "notebooks": notebooks,
                "recommenders": recommenders, "runtime": runtime, "serving": serving, "word2vec": word2vec}

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["plots", "slides", *_SUBPACKAGES],
    submod_attrs={name: package.__all__ for name, package in _SUBPACKAGES.items()},
)
