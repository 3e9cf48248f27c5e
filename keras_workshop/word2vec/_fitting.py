"""Skip-gram from documents to trained vectors in one call: pipeline, model, schedule, fit."""

from __future__ import annotations

import inspect
from typing import Sequence

import keras
import tensorflow as tf

from keras_workshop.embeddings._vocabulary import Vocabulary
from keras_workshop.runtime._resume import initial_epoch, resumable_fit
from keras_workshop.word2vec._model import SkipGram, compile_skipgram, skipgram_model
from keras_workshop.word2vec._pairs import skipgram_dataset

_PIPELINE = {
    name: parameter.default
    for name, parameter in inspect.signature(skipgram_dataset).parameters.items()
    if parameter.default is not inspect.Parameter.empty and name != "first_epoch"
}


def fit_skipgram(
    documents: Sequence[Sequence],
    vocabulary: Vocabulary,
    epochs: int,
    dim: int = 100,
    learning_rate: float = 0.05,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int = 0,
    split_batch: bool | None = None,
    backup_dir: str | None = None,
    **pipeline,
) -> SkipGram:
    """Trains skip-gram vectors for `vocabulary` on `documents` and returns the model.

    `skipgram_dataset` (fresh pairs every epoch), `skipgram_model` (the slide's
    Embedding, named `"word_vectors"`, as the vectors), `compile_skipgram`
    (word2vec's decaying SGD under XLA, one compiled call per epoch) and
    `model.fit`. Words, titles or any symbols: the documents are sequences of
    symbols, context within each.

    Args:
        documents, vocabulary: as `skipgram_dataset` takes them.
        epochs: passes over the documents.
        dim: the size of the vectors.
        learning_rate: the per-pair rate, as gensim's `alpha`.
        callbacks, verbose: for `model.fit`.
        split_batch: train on each half of a batch at once (`SkipGram`); by
            default, on the CPU without a distribution strategy, where it
            keeps two cores busy. The returned model does not split.
        backup_dir: back up every epoch there and resume from it (`EpochBackup`).
        **pipeline: any other `skipgram_dataset` argument (`window`,
            `negatives`, `sample`, `batch_size`, `group_size`,
            `batches_per_step`, `noise_power`, `seed`), with its defaults.
            Under a strategy of several replicas, `batches_per_step` is 1:
            each step's batch is split across the replicas.

    Build it under the strategy it trains with (`with strategy.scope():`).

    Example:

    >>> documents = [["the", "cat", "sat", "on", "the", "mat"] * 100]
    >>> vocabulary = Vocabulary.from_tokens(documents[0])
    >>> model = fit_skipgram(documents, vocabulary, epochs=2, dim=8, batch_size=64, group_size=16, sample=0)
    >>> model.get_layer("word_vectors").embeddings.shape
    TensorShape([5, 8])
    """
    unknown = sorted(set(pipeline) - set(_PIPELINE))
    if unknown:
        raise ValueError(f"fit_skipgram: unknown argument(s) {unknown}; expected some of {sorted(_PIPELINE)}.")
    settings = _PIPELINE | pipeline
    if tf.distribute.get_strategy().num_replicas_in_sync > 1:
        settings["batches_per_step"] = 1  # a stack of batches would be split across the replicas
    dataset, steps_per_epoch = skipgram_dataset(documents, vocabulary, **settings, first_epoch=initial_epoch(backup_dir))
    model = skipgram_model(len(vocabulary), dim, settings["negatives"], settings["group_size"])
    compile_skipgram(
        model, settings["batch_size"], steps_per_epoch, epochs, settings["batches_per_step"], learning_rate,
        split_batch=split_batch,
    )
    try:
        resumable_fit(model, dataset, backup_dir, callbacks, epochs=epochs, steps_per_epoch=steps_per_epoch,
                      shuffle=False, verbose=verbose)
    finally:
        model.split_batch = False
    return model
