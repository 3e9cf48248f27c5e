"""Skip-gram pairs against a slow reference, the sampling distributions, and a short real run."""

import collections

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from keras_workshop.embeddings import Vocabulary, nearest_neighbours
from keras_workshop.runtime import set_deterministic
from keras_workshop.word2vec import (
    compile_skipgram,
    epoch_pairs,
    keep_probabilities,
    lee_corpus,
    noise_table,
    similarity_spearman,
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


def test_window_pairs_in_a_given_target_order():
    rng = np.random.default_rng(0)
    ids = np.arange(300, dtype=np.int32)  # ids name positions
    documents = np.sort(rng.integers(0, 5, 300)).astype(np.int32)
    reach = rng.integers(1, 4, 300).astype(np.int32)
    order = rng.permutation(300).astype(np.int32)
    targets, contexts = window_pairs(*map(tf.constant, (ids, documents, reach)), 3, tf.constant(order))
    assert collections.Counter(zip(targets.numpy(), contexts.numpy())) == reference_pairs(ids, documents, reach, 3)
    rank = np.argsort(order)  # each target's place in `order`
    assert np.all(np.diff(rank[targets.numpy()]) >= 0)  # target by target, in that order


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
    ({"group_size": 0}, "batches_per_step must be >= 1, got 5, 5, 2048, 0, 1"),
    ({"batches_per_step": 0}, "got 5, 5, 2048, 32, 0"),
    ({"batch_size": 30, "group_size": 4}, "batch_size (30) must be a multiple of group_size (4)"),
    ({"negatives": 0}, "got 5, 0, 2048, 32, 1"),
])
def test_dataset_rejects_bad_arguments(arguments, message):
    vocabulary = Vocabulary.from_tokens("a b a b c".split())
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        skipgram_dataset([["a", "b"]], vocabulary, **arguments)


def test_dataset_rejects_a_corpus_smaller_than_one_batch():
    vocabulary = Vocabulary.from_tokens("a b a b c".split())
    with pytest.raises(ValueError, match=r"fewer than batch_size \* batches_per_step = 2048 \* 1 pairs"):
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
    dataset, steps = skipgram_dataset(documents, vocabulary, batch_size=2048, seed=0, batches_per_step=4)
    model = skipgram_model(len(vocabulary), 50, 5)  # groups of 32 pairs share their negatives
    vectors = model.get_layer("word_vectors")
    assert type(vectors).__name__ == "Embedding" and vectors.input_length == 1  # the slide's layer
    initial = vectors.embeddings.numpy().copy()
    random_score, pairs = similarity_spearman(initial, vocabulary, "wordsim353")
    compile_skipgram(model, batch_size=2048, steps_per_epoch=steps, epochs=8, batches_per_step=4)
    model.fit(dataset, epochs=8, steps_per_epoch=steps, shuffle=False, verbose=0)
    assert int(model.optimizer.iterations) == 8 * steps * 4  # exactly the planned updates: no epoch runs over
    trained = vectors.embeddings.numpy()
    score, _ = similarity_spearman(trained, vocabulary, "wordsim353")
    assert pairs > 100 and score > random_score + 0.1, (score, random_score)
    frequent = np.arange(20)
    before = nearest_neighbours(initial, frequent, 5)[0]
    after = nearest_neighbours(trained, frequent, 5)[0]
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(before, after)])
    assert overlap < 0.2  # the neighbours of frequent words moved away from the random ones


def test_stacked_elements_and_batches_of_distinct_targets():
    documents = [[str(i) for i in range(3000)]]  # every token a different word: ids name positions
    vocabulary = Vocabulary.from_tokens(documents[0])
    arguments = dict(window=2, negatives=3, batch_size=32, sample=0, seed=7, group_size=4)
    plain, plain_steps = skipgram_dataset(documents, vocabulary, **arguments)
    stacked, stacked_steps = skipgram_dataset(documents, vocabulary, batches_per_step=4, **arguments)
    assert stacked_steps == plain_steps // 4
    inputs, labels = next(iter(stacked))
    assert inputs["target"].shape == (4, 8, 4) and inputs["negatives"].shape == (4, 8, 3)
    assert labels.shape == (4, 8, 4, 4)

    def pass_pairs(dataset, steps):
        elements = [element[0] for element in dataset.take(steps)]
        targets = np.stack([element["target"].numpy() for element in elements])
        contexts = np.stack([element["context"].numpy() for element in elements])
        return targets.reshape(-1, 32), contexts.reshape(-1, 32)  # one row per batch

    targets, contexts = pass_pairs(stacked, stacked_steps)
    plain_targets, plain_contexts = pass_pairs(plain, plain_steps)
    # The same draw of pairs as the plain stream (less what a shorter pass drops at its end) ...
    stacked_counter = collections.Counter(zip(targets.ravel(), contexts.ravel()))
    assert stacked_counter <= collections.Counter(zip(plain_targets.ravel(), plain_contexts.ravel()))
    # ... and each batch holds pairs of 32 different targets (a target's pairs are dealt to different batches).
    assert all(len(set(batch)) == 32 for batch in targets)


def word2vec_update(words, contexts, target, context, noise, learning_rate):
    """One batch of word2vec's rule in float64: every pair read from the same weights, then all applied.

    For each logit z = w . c with label y: w -= a (sigmoid(z) - y) c and c -= a (sigmoid(z) - y) w.
    """
    words, contexts = words.copy(), contexts.copy()
    new_words, new_contexts = words.copy(), contexts.copy()
    for group in range(target.shape[0]):
        for pair in range(target.shape[1]):
            w = words[target[group, pair]]
            for c, y in [(context[group, pair], 1.0)] + [(n, 0.0) for n in noise[group]]:
                error = learning_rate * (1 / (1 + np.exp(-w @ contexts[c])) - y)
                new_words[target[group, pair]] -= error * contexts[c]
                new_contexts[c] -= error * w
    return new_words, new_contexts


def test_training_step_is_word2vecs_update_for_plain_and_stacked_batches():
    rng = np.random.default_rng(11)
    size, dim, negatives, group_size, groups = 30, 6, 3, 4, 5
    words, contexts = rng.normal(size=(size, dim)) * 0.5, rng.normal(size=(size, dim)) * 0.5
    stack = {
        "target": rng.integers(0, size, (2, groups, group_size)).astype("int32"),
        "context": rng.integers(0, size, (2, groups, group_size)).astype("int32"),
        "negatives": rng.integers(0, size, (2, groups, negatives)).astype("int32"),
    }
    labels = np.zeros((2, groups, group_size, 1 + negatives), "float32")
    labels[..., 0] = 1
    expected = (words, contexts)
    for batch in range(2):
        expected = word2vec_update(*expected, *(stack[n][batch] for n in ("target", "context", "negatives")), 0.05)
    for batches_per_step in (1, 2):
        model = skipgram_model(size, dim, negatives, group_size)
        model.get_layer("word_vectors").set_weights([words])
        model.get_layer("context_vectors").set_weights([contexts])
        # A constant rate: the schedule decays over a billion updates.
        compile_skipgram(model, batch_size=groups * group_size, steps_per_epoch=2 // batches_per_step,
                         epochs=10**9, batches_per_step=batches_per_step, learning_rate=0.05)
        if batches_per_step == 1:
            dataset = tf.data.Dataset.from_tensor_slices((stack, labels))
        else:
            dataset = tf.data.Dataset.from_tensors((stack, labels))
        model.fit(dataset, epochs=1, steps_per_epoch=2 // batches_per_step, shuffle=False, verbose=0)
        assert int(model.optimizer.iterations) == 2  # one update per batch, stacked or not
        np.testing.assert_allclose(model.get_layer("word_vectors").get_weights()[0], expected[0], atol=1e-5)
        np.testing.assert_allclose(model.get_layer("context_vectors").get_weights()[0], expected[1], atol=1e-5)


def test_compile_skipgram_rejects_bad_arguments():
    model = skipgram_model(40, 8, negatives=3, group_size=4)
    with pytest.raises(ValueError, match="got 0, 10, 5, 1, 0.05"):
        compile_skipgram(model, batch_size=0, steps_per_epoch=10, epochs=5)


def test_model_saves_and_loads_without_custom_objects(tmp_path):
    model = skipgram_model(40, 8, negatives=3, group_size=4)
    inputs = {"target": np.array([[1, 2, 3, 4]] * 3), "context": np.array([[5, 6, 7, 8]] * 3),
              "negatives": np.array([[9, 10, 11]] * 3)}
    model.get_layer("context_vectors").set_weights([np.random.default_rng(0).normal(size=(40, 8))])
    model.save(tmp_path / "skipgram.keras")
    loaded = keras.models.load_model(tmp_path / "skipgram.keras")
    assert type(loaded).__name__ == "SkipGram"
    np.testing.assert_allclose(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0), rtol=1e-6)


def test_split_batch_is_a_cpu_training_choice_not_part_of_the_model():
    from keras_workshop.word2vec import SkipGram
    from tests.trainings import train_skipgram

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.zipf(1.5, size=3000) % 40]
    vocabulary = Vocabulary.from_tokens(words)
    trained = {}
    for split in (False, True):
        set_deterministic(0)
        model = train_skipgram([words], vocabulary, epochs=2, dim=8, batch_size=64, group_size=8, sample=0,
                               split_batch=split, seed=0)
        assert model.split_batch is split
        inputs = next(iter(skipgram_dataset([words], vocabulary, batch_size=64, group_size=8)[0]))[0]
        np.testing.assert_allclose(model(inputs, training=True), model(inputs, training=False), atol=1e-6)  # dropout-free
        trained[split] = model.get_layer("word_vectors").embeddings.numpy()
    np.testing.assert_allclose(trained[True], trained[False], atol=1e-5)  # the same updates, up to rounding
    assert SkipGram.split_batch is False and "split_batch" not in model.get_config()


@given(st.one_of(
    st.lists(st.integers(-5, 5), min_size=1, max_size=5).filter(lambda c: min(c) < 0 or max(c) <= 0),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=5).filter(
        lambda c: not np.all(np.isfinite(c))),
))
def test_counts_that_are_not_counts_are_refused(counts):
    """All zero, negative or non-finite counts would draw id 0 every time (or keep every word) in silence."""
    for function in (keep_probabilities, noise_table):
        with pytest.raises(ValueError, match="finite counts >= 0, not all 0"):
            function(np.array(counts))


@given(st.one_of(st.floats(max_value=-1e-9), st.just(np.nan), st.just(np.inf)))
def test_a_negative_or_non_finite_sample_is_refused(sample):
    with pytest.raises(ValueError, match="sample must be a finite number >= 0"):
        keep_probabilities(np.array([3, 1]), sample)


def test_never_seen_ids_are_never_drawn_as_negatives():
    table = noise_table(np.array([0, 5, 0, 3]), size=1000)
    assert set(np.unique(table)) == {1, 3}
    np.testing.assert_allclose(np.mean(table == 1), 5**0.75 / (5**0.75 + 3**0.75), atol=2e-3)


def test_similarity_spearman_refuses_non_finite_vectors_and_says_nan_for_too_few_pairs():
    vocabulary = Vocabulary(["cat", "dog", "tiger", "car"])
    weights = np.ones((4, 3))
    weights[1, 2] = np.inf
    with pytest.raises(ValueError, match="embeddings hold NaN or inf"):
        similarity_spearman(weights, vocabulary, "wordsim353")
    score, pairs = similarity_spearman(np.eye(4, 3), vocabulary, "wordsim353")
    assert pairs < 3 and np.isnan(score)  # undefined, and said so by the count
