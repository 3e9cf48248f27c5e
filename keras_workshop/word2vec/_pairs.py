"""Skip-gram pairs with negative sampling: a tf.data pipeline of fresh pairs every epoch."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf

from keras_workshop._checks import check_non_negative_int, check_not_a_string, check_positive_int
from keras_workshop.embeddings import Vocabulary

_NOISE_TABLE = 1 << 18  # entries of the unigram^0.75 table negatives are drawn from
_PREFETCH = 128  # elements made ahead: about one pass of the Wikipedia excerpt at 8 batches each


def _checked_counts(counts, where: str) -> np.ndarray:
    """`counts` as float64, or a `ValueError`: they must be finite, >= 0, and not all 0."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or not np.all(np.isfinite(counts)) or np.any(counts < 0) or not np.any(counts > 0):
        raise ValueError(
            f"{where}: expected a 1-D array of finite counts >= 0, not all 0; got {np.asarray(counts)!r:.120}."
        )
    return counts


def keep_probabilities(counts: np.ndarray, sample: float = 1e-3) -> np.ndarray:
    """word2vec's frequent-word subsampling: the probability of keeping each word.

    With `f` a word's share of the corpus, keep = (sqrt(f / sample) + 1) * sample / f,
    capped at 1 (the formula gensim and the word2vec C code use).
    `sample=0` keeps every word.

    Example:

    >>> [round(float(p), 3) for p in keep_probabilities(np.array([900, 100]), sample=0.1)]
    [0.444, 1.0]
    """
    counts = _checked_counts(counts, "keep_probabilities")
    if not np.isfinite(sample) or sample < 0:
        raise ValueError(f"keep_probabilities: sample must be a finite number >= 0, got {sample!r}.")
    if sample == 0:
        return np.ones(len(counts), dtype=np.float32)
    share = counts / np.sum(counts)
    return np.minimum((np.sqrt(share / sample) + 1) * sample / share, 1.0).astype(np.float32)


def noise_table(counts: np.ndarray, size: int = _NOISE_TABLE, power: float = 0.75) -> np.ndarray:
    """Ids laid out so that a uniform index draws from the unigram^power distribution.

    Example:

    >>> np.bincount(noise_table(np.array([3, 1]), size=8, power=1.0)).tolist()
    [6, 2]
    """
    counts = _checked_counts(counts, "noise_table")
    if not np.isfinite(power):
        raise ValueError(f"noise_table: power must be a finite number, got {power!r}.")
    check_positive_int(size, "size", "noise_table")
    weights = np.where(counts > 0, counts, 1.0) ** power * (counts > 0)  # never-seen ids are never drawn
    cumulative = np.cumsum(weights) / weights.sum()
    return np.searchsorted(cumulative, (np.arange(size) + 0.5) / size).astype(np.int32)


def epoch_pairs(ids, documents, keep, window: int, seed):
    """One epoch of skip-gram pairs, with vectorised ops only.

    Words are first subsampled (kept with probability `keep[id]`); then, as in
    word2vec, each kept word gets a window of `window - b` words on each side,
    `b` uniform in `[0, window)`, and pairs never cross a document boundary.
    The targets come in a random order, each with its contexts (as word2vec
    trains them: one target, then its window).

    Args:
        ids: int32 `(tokens,)` word ids of the whole corpus, documents concatenated.
        documents: int32 `(tokens,)` the document number of each token, non-decreasing.
        keep: float32 `(vocabulary,)` keep probabilities.
        window: the largest window.
        seed: an int64 `(2,)` seed for stateless random ops.

    Returns:
        `(targets, contexts)`, int32 `(pairs,)` each.
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 3)
    kept = tf.random.stateless_uniform(tf.shape(ids), seeds[0]) < tf.gather(keep, ids)
    ids, documents = tf.boolean_mask(ids, kept), tf.boolean_mask(documents, kept)
    reach = window - tf.random.stateless_uniform(tf.shape(ids), seeds[1], 0, window, dtype=tf.int32)
    # Shuffle the targets, not their several times as many pairs (that shuffle was most of a pass's cost).
    order = tf.random.experimental.stateless_shuffle(tf.range(tf.shape(ids)[0]), seeds[2])
    return window_pairs(ids, documents, reach, window, order)


def window_pairs(ids, documents, reach, window: int, targets=None):
    """All `(target, context)` pairs with the context within the target's `reach`, same document.

    One `(targets, 2 * window)` grid of context positions and one mask: no loop
    over words, and few ops (the graph traces fast).

    Args:
        ids: int32 `(tokens,)` word ids.
        documents: int32 `(tokens,)` document numbers, non-decreasing.
        reach: int32 `(tokens,)` how far each token's window reaches.
        window: the largest reach.
        targets: int32 positions of the targets, in the order their pairs
            come out; default: every token, in text order.

    Returns:
        `(targets, contexts)` word ids, int32 `(pairs,)` each.
    """
    offsets = tf.constant([o for o in range(-window, window + 1) if o], tf.int32)  # (2W,)
    position = tf.range(tf.shape(ids)[0])
    targets = position if targets is None else targets
    first = tf.gather(tf.gather(tf.math.segment_min(position, documents), documents), targets)[:, None]
    last = tf.gather(tf.gather(tf.math.segment_max(position, documents), documents), targets)[:, None]
    context = targets[:, None] + offsets  # (targets, 2W)
    valid = (context >= first) & (context <= last) & (tf.abs(offsets) <= tf.gather(reach, targets)[:, None])
    target_ids = tf.broadcast_to(tf.gather(ids, targets)[:, None], tf.shape(context))
    return tf.boolean_mask(target_ids, valid), tf.gather(ids, tf.boolean_mask(context, valid))


def skipgram_dataset(
    documents: Sequence[Sequence[str]],
    vocabulary: Vocabulary,
    window: int = 5,
    negatives: int = 5,
    batch_size: int = 2048,
    sample: float = 1e-3,
    seed: int = 0,
    group_size: int = 32,
    batches_per_step: int = 1,
    noise_power: float = 0.75,
    first_epoch: int = 0,
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

    With `batches_per_step=M > 1`, each element stacks `M` consecutive batches
    (a leading axis of `M` on every tensor): a `SkipGram` model's training
    step applies them as `M` updates inside one compiled loop, which saves a
    launch per update.

    Args:
        documents: lists of tokens; pairs never cross a document boundary.
        vocabulary: a `Vocabulary` with counts (`Vocabulary.from_tokens`).
        window: the largest number of words on each side of a target.
        negatives: noise words per pair, `K`.
        batch_size: pairs per batch, a multiple of `group_size`.
        sample: the subsampling threshold (word2vec's `sample`; 0 keeps every word).
        seed: the seed of every draw.
        group_size: pairs that share one draw of negatives, `G`.
        batches_per_step: batches stacked in one element, `M`.
        noise_power: negatives are drawn from the unigram distribution to this
            power (word2vec's 0.75; gensim's `ns_exponent`). Lower values draw
            rare symbols more often, which suits items more than words.
        first_epoch: the epoch the stream starts at: 0, or the epoch a resumed
            training starts at (`EpochBackup.initial_epoch`).

    Returns:
        `(dataset, steps_per_epoch)`: the stream, and the number of elements in
        one pass (counted on the first pass's draw), for `fit(steps_per_epoch=...)`.
        One pass makes `steps_per_epoch * batches_per_step` updates. Epoch `e`
        is the pass over the corpus keyed by `e`; the stream starts at epoch
        `first_epoch`, and Keras' epoch `e` of a `fit` with that
        `steps_per_epoch` is the stream's epoch `first_epoch + e`.

    Example:

    >>> documents = [["the", "cat", "sat", "on", "the", "mat"] * 200]
    >>> vocabulary = Vocabulary.from_tokens(documents[0])
    >>> dataset, steps = skipgram_dataset(documents, vocabulary, batch_size=64, group_size=16)
    >>> inputs, labels = next(iter(dataset))
    >>> inputs["target"].shape, inputs["negatives"].shape, labels.shape
    (TensorShape([4, 16]), TensorShape([4, 5]), TensorShape([4, 16, 6]))
    """
    if min(window, negatives, batch_size, group_size, batches_per_step) < 1:
        raise ValueError(
            "skipgram_dataset: window, negatives, batch_size, group_size and batches_per_step must be "
            f">= 1, got {window}, {negatives}, {batch_size}, {group_size}, {batches_per_step}."
        )
    if batch_size % group_size:
        raise ValueError(
            f"skipgram_dataset: batch_size ({batch_size}) must be a multiple of group_size ({group_size})."
        )
    check_non_negative_int(first_epoch, "first_epoch", "skipgram_dataset")
    if vocabulary.counts is None:
        raise ValueError("skipgram_dataset: the vocabulary needs counts (use Vocabulary.from_tokens).")
    check_not_a_string(documents, "skipgram_dataset: documents")
    for number, document in enumerate(documents):
        check_not_a_string(document, f"skipgram_dataset: documents[{number}]")
    lengths = [len(document) for document in documents]
    ids = vocabulary.ids([word for document in documents for word in document], unknown=-1).astype(np.int32)
    document_numbers = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    known = ids >= 0
    ids, document_numbers = tf.constant(ids[known]), tf.constant(document_numbers[known])
    keep = tf.constant(keep_probabilities(vocabulary.counts, sample))
    table = tf.constant(noise_table(vocabulary.counts, power=noise_power))
    groups = batch_size // group_size
    element = [batches_per_step] if batches_per_step > 1 else []  # the stacked batches' axis, if any
    labels = tf.tile(tf.constant([[[1.0] + [0.0] * negatives]]), [groups, group_size, 1])
    labels = tf.tile(labels[None], [batches_per_step, 1, 1, 1]) if element else labels

    @tf.autograph.experimental.do_not_convert  # no Python control flow on tensors: skip AutoGraph's ~1 s
    def one_pass(epoch_seed):
        """One pass over the corpus as whole elements: `{"target", "context", "negatives"}`."""
        seed_pair = tf.stack([epoch_seed, tf.constant(seed, tf.int64)])
        targets, contexts = epoch_pairs(ids, document_numbers, keep, window, seed_pair)
        # Whole elements by reshaping (the last partial one is dropped), and every negative of
        # the pass in one draw: tf.data then handles one element per step, not one per pair.
        steps = tf.shape(targets)[0] // (batch_size * batches_per_step)
        pairs = steps * batch_size * batches_per_step
        draws = tf.random.stateless_uniform(
            [steps, *element, groups, negatives], tf.stack([epoch_seed, tf.constant(-1 - seed, tf.int64)]),
            0, _NOISE_TABLE, tf.int32,
        )
        shape = [steps, *element, groups, group_size]

        def deal(pair_ids):
            """Pairs come target by target; dealt round-robin, a batch has each from a different target."""
            return tf.reshape(tf.transpose(tf.reshape(pair_ids[:pairs], [batch_size, -1])), shape)

        return {"target": deal(targets), "context": deal(contexts), "negatives": tf.gather(table, draws)}

    # One seed per pass over the corpus: endless, fresh, and the same sequence for the same seed.
    # The first pass is made here, once: it gives steps_per_epoch and is the stream's start.
    epoch_seeds = tf.data.Dataset.random(seed=seed)
    first_pass = one_pass(next(iter(epoch_seeds)))
    steps_per_epoch = int(first_pass["target"].shape[0])
    if steps_per_epoch == 0:
        raise ValueError(
            f"skipgram_dataset: one pass over this corpus makes fewer than batch_size * batches_per_step "
            f"= {batch_size} * {batches_per_step} pairs; use smaller sizes or more text."
        )
    later_passes = epoch_seeds.skip(1).flat_map(
        lambda epoch_seed: tf.data.Dataset.from_tensor_slices(one_pass(epoch_seed))
    )
    stream = tf.data.Dataset.from_tensor_slices(first_pass).concatenate(later_passes)
    dataset = stream.skip(first_epoch * steps_per_epoch)
    dataset = dataset.map(lambda inputs: (inputs, labels), num_parallel_calls=tf.data.AUTOTUNE)
    # tf.data's autotuner thread can hold up the iterator's deletion (the end of `fit`) for
    # seconds to tens of seconds; this pipeline needs no tuning, so it runs without one.
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(_PREFETCH).with_options(options), steps_per_epoch
