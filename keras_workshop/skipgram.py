"""Skip-gram with negative sampling: a tf.data pipeline of fresh pairs every epoch, and the model."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_workshop import slides
from keras_workshop.vocabulary import Vocabulary

_NOISE_TABLE = 1 << 18  # entries of the unigram^0.75 table negatives are drawn from
_PREFETCH = 128  # batches made ahead: two of Keras' steps_per_execution=64 loops


def keep_probabilities(counts: np.ndarray, sample: float = 1e-3) -> np.ndarray:
    """word2vec's frequent-word subsampling: the probability of keeping each word.

    With `f` a word's share of the corpus, keep = (sqrt(f / sample) + 1) * sample / f,
    capped at 1 (the formula gensim and the word2vec C code use).
    """
    if sample <= 0:
        return np.ones(len(counts), dtype=np.float32)
    share = np.asarray(counts, dtype=np.float64) / np.sum(counts)
    return np.minimum((np.sqrt(share / sample) + 1) * sample / share, 1.0).astype(np.float32)


def noise_table(counts: np.ndarray, size: int = _NOISE_TABLE, power: float = 0.75) -> np.ndarray:
    """Ids laid out so that a uniform index draws from the unigram^power distribution."""
    weights = np.asarray(counts, dtype=np.float64) ** power
    cumulative = np.cumsum(weights) / weights.sum()
    return np.searchsorted(cumulative, (np.arange(size) + 0.5) / size).astype(np.int32)


def epoch_pairs(ids, documents, keep, window: int, seed):
    """One epoch of skip-gram pairs, with vectorised ops only.

    Words are first subsampled (kept with probability `keep[id]`); then, as in
    word2vec, each kept word gets a window of `window - b` words on each side,
    `b` uniform in `[0, window)`, and pairs never cross a document boundary.

    Args:
        ids: int32 `(tokens,)` word ids of the whole corpus, documents concatenated.
        documents: int32 `(tokens,)` the document number of each token.
        keep: float32 `(vocabulary,)` keep probabilities.
        window: the largest window.
        seed: an int64 `(2,)` seed for stateless random ops.

    Returns:
        `(targets, contexts)`, int32 `(pairs,)` each, in a random order.
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 3)
    kept = tf.random.stateless_uniform(tf.shape(ids), seeds[0]) < tf.gather(keep, ids)
    ids, documents = tf.boolean_mask(ids, kept), tf.boolean_mask(documents, kept)
    reach = window - tf.random.stateless_uniform(tf.shape(ids), seeds[1], 0, window, dtype=tf.int32)
    targets, contexts = window_pairs(ids, documents, reach, window)
    order = tf.random.experimental.stateless_shuffle(tf.range(tf.shape(targets)[0]), seeds[2])
    return tf.gather(targets, order), tf.gather(contexts, order)


def window_pairs(ids, documents, reach, window: int):
    """All `(target, context)` pairs with the context within the target's `reach`, same document.

    One masked slice per offset and direction: no loop over words.
    """
    targets, contexts = [], []
    for offset in range(1, window + 1):
        same = tf.equal(documents[:-offset], documents[offset:])
        forward = tf.logical_and(same, reach[:-offset] >= offset)  # word i sees word i + offset
        backward = tf.logical_and(same, reach[offset:] >= offset)  # word i + offset sees word i
        targets += [tf.boolean_mask(ids[:-offset], forward), tf.boolean_mask(ids[offset:], backward)]
        contexts += [tf.boolean_mask(ids[offset:], forward), tf.boolean_mask(ids[:-offset], backward)]
    return tf.concat(targets, 0), tf.concat(contexts, 0)


def skipgram_dataset(
    documents: Sequence[Sequence[str]],
    vocabulary: Vocabulary,
    window: int = 5,
    negatives: int = 5,
    batch_size: int = 2048,
    sample: float = 1e-3,
    seed: int = 0,
    group_size: int = 16,
) -> tuple[tf.data.Dataset, int]:
    """An endless stream of skip-gram batches, fresh pairs for every pass over the corpus.

    A batch holds `batch_size` (target, context) pairs in groups of
    `group_size`; the pairs of a group share one draw of `negatives` noise
    words (from the unigram^0.75 distribution), so every pair is scored against
    its true context and `negatives` noise words, as in word2vec, while the
    model gathers far fewer rows per step. `group_size=1` draws negatives for
    every pair separately. Elements are
    `({"target": (n, G), "context": (n, G), "negatives": (n, K)}, labels)` with
    `n = batch_size / group_size` groups and labels `(n, G, 1 + K)`: 1 for the
    true context, 0 for the noise words. Each pass over the corpus draws new
    subsampling, windows, order and negatives, reproducibly from `seed`. Words
    outside `vocabulary` are dropped before windowing (like gensim's `min_count`).

    Args:
        documents: lists of tokens; pairs never cross a document boundary.
        vocabulary: a `Vocabulary` with counts (`Vocabulary.from_tokens`).
        window: the largest number of words on each side of a target.
        negatives: noise words per pair, `K`.
        batch_size: pairs per batch, a multiple of `group_size`.
        sample: the subsampling threshold (word2vec's `sample`; 0 keeps every word).
        seed: the seed of every draw.
        group_size: pairs that share one draw of negatives, `G`.

    Returns:
        `(dataset, steps_per_epoch)`: the stream, and the number of batches in
        one pass (counted on the first pass's draw), for `fit(steps_per_epoch=...)`.

    Example:

    >>> documents = [["the", "cat", "sat", "on", "the", "mat"] * 200]
    >>> vocabulary = Vocabulary.from_tokens(documents[0])
    >>> dataset, steps = skipgram_dataset(documents, vocabulary, batch_size=64, group_size=16)
    >>> inputs, labels = next(iter(dataset))
    >>> inputs["target"].shape, inputs["negatives"].shape, labels.shape
    (TensorShape([4, 16]), TensorShape([4, 5]), TensorShape([4, 16, 6]))
    """
    if window < 1 or negatives < 1 or batch_size < 1 or group_size < 1:
        raise ValueError(
            f"skipgram_dataset: window, negatives, batch_size and group_size must be >= 1, got "
            f"{window}, {negatives}, {batch_size}, {group_size}."
        )
    if batch_size % group_size:
        raise ValueError(
            f"skipgram_dataset: batch_size ({batch_size}) must be a multiple of group_size ({group_size})."
        )
    if vocabulary.counts is None:
        raise ValueError("skipgram_dataset: the vocabulary needs counts (use Vocabulary.from_tokens).")
    words, document_numbers = [], []
    for number, document in enumerate(documents):
        kept = [word for word in document if word in vocabulary]
        words += kept
        document_numbers += [number] * len(kept)
    ids = tf.constant(vocabulary.ids(words).astype(np.int32))
    document_numbers = tf.constant(np.array(document_numbers, dtype=np.int32))
    keep = tf.constant(keep_probabilities(vocabulary.counts, sample))
    table = tf.constant(noise_table(vocabulary.counts))
    groups = batch_size // group_size
    batch_labels = tf.tile(tf.constant([[[1.0] + [0.0] * negatives]]), [groups, group_size, 1])

    @tf.autograph.experimental.do_not_convert  # no Python control flow on tensors: skip AutoGraph's ~1 s
    def one_pass(epoch_seed):
        """One pass over the corpus as whole batches: `{"target", "context", "negatives"}`."""
        seed_pair = tf.stack([epoch_seed, tf.constant(seed, tf.int64)])
        targets, contexts = epoch_pairs(ids, document_numbers, keep, window, seed_pair)
        # Whole batches by reshaping (the last partial batch is dropped), and every negative of
        # the pass in one draw: tf.data then handles one element per batch, not one per pair.
        batches = tf.shape(targets)[0] // batch_size
        shape = [batches, groups, group_size]
        draws = tf.random.stateless_uniform(
            [batches, groups, negatives], tf.stack([epoch_seed, tf.constant(-1 - seed, tf.int64)]),
            0, _NOISE_TABLE, tf.int32,
        )
        return {
            "target": tf.reshape(targets[: batches * batch_size], shape),
            "context": tf.reshape(contexts[: batches * batch_size], shape),
            "negatives": tf.gather(table, draws),
        }

    # One seed per pass over the corpus: endless, fresh, and the same sequence for the same seed.
    # The first pass is made here, once: it gives steps_per_epoch and is the stream's start.
    epoch_seeds = tf.data.Dataset.random(seed=seed)
    first_pass = one_pass(next(iter(epoch_seeds)))
    steps_per_epoch = int(first_pass["target"].shape[0])
    if steps_per_epoch == 0:
        raise ValueError(
            f"skipgram_dataset: one pass over this corpus makes fewer than batch_size={batch_size} "
            "pairs; use a smaller batch_size or more text."
        )
    later_passes = epoch_seeds.skip(1).flat_map(
        lambda epoch_seed: tf.data.Dataset.from_tensor_slices(one_pass(epoch_seed))
    )
    dataset = tf.data.Dataset.from_tensor_slices(first_pass).concatenate(later_passes)
    dataset = dataset.map(lambda inputs: (inputs, batch_labels), num_parallel_calls=tf.data.AUTOTUNE)
    # tf.data's autotuner thread can hold up the iterator's deletion (the end of `fit`) for
    # seconds to tens of seconds; this pipeline needs no tuning, so it runs without one.
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(_PREFETCH).with_options(options), steps_per_epoch


def skipgram_model(vocabulary_size: int, dim: int, negatives: int, group_size: int = 16) -> keras.Model:
    """Skip-gram with negative sampling around the slide's `Embedding(output_dim=d, input_dim=n, input_length=1)`.

    The word vectors are the slide's layer (named `"word_vectors"`); context
    vectors are a second table. Inputs come in groups of `group_size` pairs
    that share their noise words (see `skipgram_dataset`); the logits
    `(groups, group_size, 1 + negatives)` are the dot products of each
    target's vector with its true context's vector and with the group's
    noise words' vectors.

    Example:

    >>> model = skipgram_model(vocabulary_size=1000, dim=100, negatives=5, group_size=16)
    >>> model.output.shape
    (None, 16, 6)
    """
    for argument, value in (("vocabulary_size", vocabulary_size), ("dim", dim), ("negatives", negatives),
                            ("group_size", group_size)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"skipgram_model: `{argument}` must be a positive integer, got {value!r}.")
    target = keras.Input((group_size,), dtype="int32", name="target")
    context = keras.Input((group_size,), dtype="int32", name="context")
    noise = keras.Input((negatives,), dtype="int32", name="negatives")
    # The pipeline only makes valid ids, so the id check is off here to let XLA compile the step.
    word_vectors = slides.Embedding(
        output_dim=dim, input_dim=vocabulary_size, input_length=1, validate_ids=False, name="word_vectors"
    )
    context_vectors = keras.layers.Embedding(
        vocabulary_size, dim, embeddings_initializer="zeros", name="context_vectors"
    )
    targets = word_vectors(target)  # (groups, G, d)
    positive = keras.ops.sum(targets * context_vectors(context), axis=-1, keepdims=True)  # (groups, G, 1)
    negative = keras.layers.Dot(axes=2)([targets, context_vectors(noise)])  # (groups, G, K)
    return keras.Model([target, context, noise], keras.layers.Concatenate(name="logits")([positive, negative]))
