"""Skip-gram from documents to trained vectors in one call: pipeline, model, schedule, fit."""

from __future__ import annotations

from typing import Sequence

import keras

from keras_workshop.embeddings._vocabulary import Vocabulary
from keras_workshop.word2vec._model import SkipGram, compile_skipgram, skipgram_model
from keras_workshop.word2vec._pairs import skipgram_dataset


def fit_skipgram(
    documents: Sequence[Sequence],
    vocabulary: Vocabulary,
    epochs: int,
    dim: int = 100,
    window: int = 5,
    negatives: int = 5,
    sample: float = 1e-3,
    learning_rate: float = 0.05,
    batch_size: int = 2048,
    group_size: int = 32,
    batches_per_step: int = 8,
    noise_power: float = 0.75,
    seed: int = 0,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int = 0,
) -> SkipGram:
    """Trains skip-gram vectors for `vocabulary` on `documents` and returns the model.

    `skipgram_dataset` (fresh pairs every epoch), `skipgram_model` (the slide's
    Embedding, named `"word_vectors"`, as the vectors), `compile_skipgram`
    (word2vec's decaying SGD under XLA, one compiled call per epoch) and
    `model.fit`, with the arguments of those functions. Words, titles or any
    symbols: the documents are sequences of symbols, context within each.

    Example:

    >>> documents = [["the", "cat", "sat", "on", "the", "mat"] * 100]
    >>> vocabulary = Vocabulary.from_tokens(documents[0])
    >>> model = fit_skipgram(documents, vocabulary, epochs=2, dim=8, batch_size=64, group_size=16,
    ...                      batches_per_step=2, sample=0)
    >>> model.get_layer("word_vectors").embeddings.shape
    TensorShape([5, 8])
    """
    dataset, steps_per_epoch = skipgram_dataset(
        documents, vocabulary, window=window, negatives=negatives, batch_size=batch_size, sample=sample,
        seed=seed, group_size=group_size, batches_per_step=batches_per_step, noise_power=noise_power,
    )
    model = skipgram_model(len(vocabulary), dim, negatives, group_size)
    compile_skipgram(model, batch_size, steps_per_epoch, epochs, batches_per_step, learning_rate)
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=list(callbacks), shuffle=False,
              verbose=verbose)
    return model
