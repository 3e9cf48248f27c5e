"""Benchmark: this project's skip-gram against gensim Word2Vec, same tokens, one run.

Both train skip-gram with negative sampling on the English Wikipedia excerpt that ships in
the gensim wheel: dim 100, window 5, min_count 2, 5 negatives, sample 1e-3, 10 epochs;
gensim with 2 worker threads at its default alpha 0.025 and at 0.05 (the better-tuned peer;
this project's default per-pair rate is 0.05). Prints wall time (vocabulary + training),
words per second, WordSim-353 and SimLex-999 Spearman, and what the CosineNeighbours
callback (8 probes, every epoch) costs as a share of the training time.

Run: python benchmarks/word_embeddings.py [--epochs 10] [--group-size 16]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_workshop import CosineNeighbours, Vocabulary, set_deterministic  # noqa: E402
from keras_workshop.corpora import similarity_spearman, wikipedia_excerpt  # noqa: E402
from keras_workshop.skipgram import skipgram_dataset, skipgram_model  # noqa: E402

PROBES = ["france", "film", "language", "philosophy", "war", "government", "river", "water"]


def scores(weights, vocabulary):
    return [similarity_spearman(weights, vocabulary, name)[0] for name in ("wordsim353", "simlex999")]


def run_gensim(documents, epochs, alpha):
    from gensim.models import Word2Vec

    start = time.perf_counter()
    model = Word2Vec(
        documents, sg=1, vector_size=100, window=5, min_count=2, negative=5, sample=1e-3,
        epochs=epochs, workers=2, alpha=alpha, seed=42,
    )
    seconds = time.perf_counter() - start
    vocabulary = Vocabulary(list(model.wv.index_to_key))
    return seconds, scores(model.wv.vectors, vocabulary)


class TimedNeighbours(CosineNeighbours):
    seconds = 0.0

    def log(self, epoch):
        start = time.perf_counter()
        record = super().log(epoch)
        TimedNeighbours.seconds += time.perf_counter() - start
        return record


def run_ours(documents, epochs, with_callback, group_size):
    set_deterministic(42, op_determinism=False)
    start = time.perf_counter()
    vocabulary = Vocabulary.from_tokens((w for d in documents for w in d), min_count=2)
    dataset, steps = skipgram_dataset(
        documents, vocabulary, window=5, negatives=5, batch_size=2048, seed=42, group_size=group_size
    )
    model = skipgram_model(len(vocabulary), 100, 5, group_size)
    terms = 2048 * 6
    schedule = keras.optimizers.schedules.PolynomialDecay(0.05 * terms, epochs * steps, 0.0001 * terms)
    model.compile(keras.optimizers.SGD(schedule), keras.losses.BinaryCrossentropy(from_logits=True),
                  jit_compile=True, steps_per_execution=64)
    callbacks = [TimedNeighbours("word_vectors", vocabulary, PROBES, verbose=0, log_initial=False)] if with_callback else []
    TimedNeighbours.seconds = 0.0
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps, callbacks=callbacks, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    return seconds, scores(model.get_layer("word_vectors").embeddings.numpy(), vocabulary), TimedNeighbours.seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--group-size", type=int, default=16, help="pairs sharing one draw of negatives")
    args = parser.parse_args()
    documents = wikipedia_excerpt()
    tokens = sum(map(len, documents))
    rows = []
    for alpha in (0.025, 0.05):
        seconds, (ws, sl) = run_gensim(documents, args.epochs, alpha)
        rows.append((f"gensim alpha {alpha}", seconds, ws, sl))
    seconds, (ws, sl), callback_seconds = run_ours(documents, args.epochs, with_callback=True, group_size=args.group_size)
    rows.append(("keras_workshop", seconds, ws, sl))
    print(f"{tokens} tokens, {args.epochs} epochs, keras_workshop group size {args.group_size}")
    print(f"{'':>22} {'wall s':>7} {'words/s':>9} {'WS-353':>7} {'SimLex':>7}")
    for name, seconds, ws, sl in rows:
        print(f"{name:>22} {seconds:7.1f} {tokens * args.epochs / seconds:9.0f} {ws:7.3f} {sl:7.3f}")
    best_gensim = min(rows[:2], key=lambda row: row[1])[1]
    print(f"time ratio keras_workshop / fastest gensim: {rows[2][1] / best_gensim:.2f}")
    print(f"CosineNeighbours callback: {callback_seconds:.3f} s over {args.epochs} epochs, "
          f"{100 * callback_seconds / rows[2][1]:.2f}% of the training time")


if __name__ == "__main__":
    main()
