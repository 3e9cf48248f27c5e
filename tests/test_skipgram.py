"""Skip-gram pairs against a slow reference, the sampling distributions, and a short real run."""

import collections

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import Vocabulary, nearest_neighbours, set_deterministic
from keras_workshop.corpora import lee_corpus, similarity_spearman
from keras_workshop.skipgram import (
    epoch_pairs,
    keep_probabilities,
    noise_table,
    skipgram_dataset,
    skipgram_model,
    window_pairs,
)


def reference_pairs(ids, documents, reach, window):
    """The textbook loop: each word pairs with the words within its reach in its document."""
    pairs = []
    for i in range(len(ids)):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i and abs(j - i) <= reach[i] and documents[j] == documents[i]:
                pairs.append((ids[i], ids[j]))
    return collections.Counter(pairs)


@pytest.mark.parametrize("window", [1, 3, 5])
def test_window_pairs_match_the_slow_reference(window):
    rng = np.random.default_rng(window)
    ids = rng.integers(0, 30, 400).astype(np.int32)
    documents = np.sort(rng.integers(0, 7, 400)).astype(np.int32)
    reach = rng.integers(1, window + 1, 400).astype(np.int32)
    targets, contexts = window_pairs(tf.constant(ids), tf.constant(documents), tf.constant(reach), window)
    assert collections.Counter(zip(targets.numpy(), contexts.numpy())) == reference_pairs(ids, documents, reach, window)


def test_epoch_pairs_subsample_and_vary_the_window():
    ids = tf.constant(np.arange(20000) % 4, tf.int32)
    documents = tf.zeros(20000, tf.int32)
    keep = tf.constant([1.0, 1.0, 0.5, 0.0])
    targets, contexts = epoch_pairs(ids, documents, keep, 4, tf.constant([1, 2], tf.int64))
    counts = np.bincount(targets.numpy(), minlength=4)
    assert counts[3] == 0 and counts[0] > 0
    assert counts[2] / counts[0] == pytest.approx(0.5, abs=0.05)  # half of word 2 is dropped
    again = epoch_pairs(ids, documents, keep, 4, tf.constant([1, 2], tf.int64))
    np.testing.assert_array_equal(again[0], targets)  # stateless: same seed, same pairs
    other = epoch_pairs(ids, documents, keep, 4, tf.constant([1, 3], tf.int64))
    assert not np.array_equal(other[0][:100], targets[:100])


def test_keep_probabilities_and_noise_distribution():
    counts = np.array([1000, 100, 10, 1])
    share = counts / counts.sum()
    expected = np.minimum((np.sqrt(share / 1e-3) + 1) * 1e-3 / share, 1)
    np.testing.assert_allclose(keep_probabilities(counts, 1e-3), expected, rtol=1e-6)
    table = noise_table(counts)
    drawn = np.bincount(table, minlength=4) / len(table)
    target = counts**0.75 / np.sum(counts**0.75)
    np.testing.assert_allclose(drawn, target, atol=2e-5)


def test_dataset_stream_is_fresh_per_pass_and_repeatable():
    documents = [["a", "b", "c", "a", "b", "d"] * 30, ["c", "d", "a", "b"] * 40]
    vocabulary = Vocabulary.from_tokens(word for document in documents for word in document)
    dataset, steps = skipgram_dataset(documents, vocabulary, window=2, negatives=3, batch_size=32, seed=5, group_size=4)
    batches = list(dataset.take(3 * steps))
    inputs, labels = batches[0]
    assert inputs["target"].shape == (8, 4) and inputs["context"].shape == (8, 4)
    assert inputs["negatives"].shape == (8, 3)  # one draw of 3 noise words per group of 4 pairs
    assert labels.shape == (8, 4, 4)
    np.testing.assert_array_equal(labels[..., 0], 1)
    np.testing.assert_array_equal(labels[..., 1:], 0)
    first_pass = np.concatenate([b[0]["target"].numpy().ravel() for b in batches[:steps]])
    second_pass = np.concatenate([b[0]["target"].numpy().ravel() for b in batches[steps : 2 * steps]])
    assert not np.array_equal(first_pass, second_pass)
    replay, _ = skipgram_dataset(documents, vocabulary, window=2, negatives=3, batch_size=32, seed=5, group_size=4)
    np.testing.assert_array_equal(next(iter(replay))[0]["negatives"], inputs["negatives"])
    # tf.data's autotuner thread can stall the iterator's deletion at the end of fit: it is off.
    assert dataset.options().autotune.enabled is False


def test_dataset_pairs_are_the_epoch_pairs_and_negatives_follow_the_noise_table():
    documents = [[str(i % 50) for i in range(3000)]]
    vocabulary = Vocabulary.from_tokens(documents[0])
    dataset, steps = skipgram_dataset(
        documents, vocabulary, window=2, negatives=5, batch_size=64, sample=0, seed=1, group_size=8
    )
    inputs = [batch[0] for batch in dataset.take(steps)]
    targets = np.concatenate([x["target"].numpy().ravel() for x in inputs])
    contexts = np.concatenate([x["context"].numpy().ravel() for x in inputs])
    # No subsampling here, so every pair's context is at most 2 words from its target in the text.
    distance = np.abs(vocabulary.to_symbols(targets).astype(int) - vocabulary.to_symbols(contexts).astype(int)) % 50
    assert set(np.minimum(distance, 50 - distance)) <= {1, 2}
    negatives = np.concatenate([x["negatives"].numpy().ravel() for x in inputs])
    expected = np.bincount(noise_table(vocabulary.counts), minlength=len(vocabulary)) / (1 << 18)
    observed = np.bincount(negatives, minlength=len(vocabulary)) / len(negatives)
    assert np.abs(observed - expected).max() < 5 * np.sqrt(expected.max() / len(negatives))


@pytest.mark.parametrize("arguments, message", [
    ({"group_size": 0}, "group_size must be >= 1"),
    ({"batch_size": 30, "group_size": 4}, "batch_size (30) must be a multiple of group_size (4)"),
    ({"negatives": 0}, "got 5, 0, 2048, 16"),
])
def test_dataset_rejects_bad_arguments(arguments, message):
    vocabulary = Vocabulary.from_tokens("a b a b c".split())
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        skipgram_dataset([["a", "b"]], vocabulary, **arguments)


def test_dataset_rejects_a_corpus_smaller_than_one_batch():
    vocabulary = Vocabulary.from_tokens("a b a b c".split())
    with pytest.raises(ValueError, match="fewer than batch_size=2048 pairs"):
        skipgram_dataset([["a", "b", "a", "b", "c"]], vocabulary, sample=0)


def test_model_rejects_bad_sizes():
    with pytest.raises(ValueError, match="`group_size` must be a positive integer, got 0"):
        skipgram_model(40, 8, negatives=3, group_size=0)


def test_model_logits_match_a_float64_reference():
    rng = np.random.default_rng(3)
    model = skipgram_model(40, 8, negatives=3, group_size=4)
    words = rng.normal(size=(40, 8))
    contexts = rng.normal(size=(40, 8))
    model.get_layer("word_vectors").set_weights([words])
    model.get_layer("context_vectors").set_weights([contexts])
    target, context = rng.integers(0, 40, (5, 4)), rng.integers(0, 40, (5, 4))
    noise = rng.integers(0, 40, (5, 3))
    logits = model.predict({"target": target, "context": context, "negatives": noise}, verbose=0)
    expected = np.concatenate([
        np.einsum("ngd,ngd->ng", words[target], contexts[context])[..., None],
        np.einsum("ngd,nkd->ngk", words[target], contexts[noise]),
    ], axis=-1)
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-5)


def test_short_run_on_lee_learns_similarity():
    set_deterministic(0, op_determinism=False)
    documents = lee_corpus()
    vocabulary = Vocabulary.from_tokens((w for d in documents for w in d), min_count=2)
    dataset, steps = skipgram_dataset(documents, vocabulary, batch_size=2048, seed=0)
    model = skipgram_model(len(vocabulary), 50, 5)  # groups of 16 pairs share their negatives
    vectors = model.get_layer("word_vectors")
    assert type(vectors).__name__ == "Embedding" and vectors.input_length == 1  # the slide's layer
    initial = vectors.embeddings.numpy().copy()
    random_score, pairs = similarity_spearman(initial, vocabulary, "wordsim353")
    terms = 2048 * 6
    schedule = keras.optimizers.schedules.PolynomialDecay(0.05 * terms, 8 * steps, 0.0001 * terms)
    model.compile(keras.optimizers.SGD(schedule), keras.losses.BinaryCrossentropy(from_logits=True), jit_compile=True, steps_per_execution=64)
    model.fit(dataset, epochs=8, steps_per_epoch=steps, shuffle=False, verbose=0)
    trained = vectors.embeddings.numpy()
    score, _ = similarity_spearman(trained, vocabulary, "wordsim353")
    assert pairs > 100 and score > random_score + 0.1, (score, random_score)
    frequent = np.arange(20)
    before = nearest_neighbours(initial, frequent, 5)[0]
    after = nearest_neighbours(trained, frequent, 5)[0]
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(before, after)])
    assert overlap < 0.2  # the neighbours of frequent words moved away from the random ones
