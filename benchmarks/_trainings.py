"""The recipes' three trainings, as the benchmarks build them: a model, its tf.data pipeline, steps per epoch.

Not a benchmark itself: `input_pipeline.py`, `gpu.py` and the embedding benchmarks import it.
"""

import keras

from keras_workshop.dropout import dropout_mlp, noisy_digits
from keras_workshop.runtime import array_batches
from keras_workshop.embeddings import Vocabulary
from keras_workshop.movielens import field_vocabulary, load_movielens, rating_rows
from keras_workshop.recommenders import ratings_dataset, slide_rating_model
from keras_workshop.word2vec import compile_skipgram, skipgram_dataset, skipgram_model, wikipedia_excerpt


def dropout_training(batch_size: int = 128):
    """The dropout curves' MLP (1024-10-10, p = 0.2) on noisy digits, SGD 0.1; whole batches only."""
    split = noisy_digits(noisy_labels=200, seed=42)
    size = len(split.train.x) // batch_size * batch_size
    model = dropout_mlp(64, (1024, 10, 10), 10, rate=0.2)
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    return model, array_batches((split.train.x[:size], split.train.y[:size]), batch_size, shuffle_seed=42), size // batch_size


def ratings_training(batch_size: int = 256, validate_ids: bool = True, jit_compile="auto"):
    """The slide rating model (d = 16, Dense 256, p = 0.4) on MovieLens-100k, Adam; whole batches only."""
    data = load_movielens()
    vocabulary = field_vocabulary(data)
    rows = rating_rows(data, vocabulary, data.rating_users, data.rating_items)
    size = len(rows) // batch_size * batch_size
    model = slide_rating_model(len(vocabulary), rows.shape[1], rate=0.4,
                               mean_rating=float(data.ratings.mean()), validate_ids=validate_ids)
    model.compile(keras.optimizers.Adam(1e-3), "mse", jit_compile=jit_compile)
    dataset = ratings_dataset(rows[:size], data.ratings[:size], batch_size, shuffle_seed=42)
    return model, dataset, size // batch_size


def skipgram_training(batch_size: int = 2048, batches_per_step: int = 8):
    """The word-vector recipe's skip-gram (d = 100, 5 negatives, groups of 32) on the Wikipedia excerpt."""
    documents = wikipedia_excerpt()
    vocabulary = Vocabulary.from_tokens((word for document in documents for word in document), min_count=2)
    dataset, steps = skipgram_dataset(documents, vocabulary, batch_size=batch_size,
                                      batches_per_step=batches_per_step, seed=42)
    model = skipgram_model(len(vocabulary), 100, 5, 32)
    compile_skipgram(model, batch_size, steps, epochs=100, batches_per_step=batches_per_step)
    return model, dataset, steps  # endless: fit with steps_per_epoch


def fit_skipgram_vectors(documents, vocabulary, epochs, dim, learning_rate=0.05, callbacks=(), **pipeline):
    """Skip-gram vectors trained as the recipes train them (`pipeline`: `skipgram_dataset`'s options); the model."""
    dataset, steps = skipgram_dataset(documents, vocabulary, **pipeline)
    model = skipgram_model(len(vocabulary), dim, pipeline["negatives"], pipeline["group_size"])
    compile_skipgram(model, pipeline["batch_size"], steps, epochs, pipeline["batches_per_step"], learning_rate)
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps, shuffle=False, verbose=0, callbacks=list(callbacks))
    return model


TRAININGS = {
    "dropout MLP (digits)": (dropout_training, 128),
    "slide ratings (ML-100k)": (ratings_training, 256),
    "skip-gram (Wikipedia)": (skipgram_training, 2048 * 8),
}
"""name -> (builder, examples per step)."""
