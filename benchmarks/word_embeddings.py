"""Benchmark: this project's skip-gram against gensim Word2Vec, same tokens, one process.

Both train skip-gram with negative sampling on the English Wikipedia excerpt that ships in
the gensim wheel: dim 100, window 5, min_count 2, 5 negatives, sample 1e-3, 10 epochs;
gensim with 2 worker threads at its default alpha 0.025 and at 0.05 (the better-tuned peer;
this project's default per-pair rate is 0.05). In interleaved rounds (`--repeats`), so that a
slow spell of the machine hits all three, it prints median wall times (vocabulary +
training), words per second, WordSim-353 and SimLex-999 Spearman, the time ratio per round,
and what the CosineNeighbours callback (8 probes, every epoch) costs as a share of the
training time.

Run: python benchmarks/word_embeddings.py [--epochs 10] [--group-size 32] [--batches-per-step 8]
     [--batch-size 2048] [--repeats 3]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from keras_workshop import CosineNeighbours, Vocabulary, set_deterministic  # noqa: E402
from _trainings import fit_skipgram_vectors  # noqa: E402
from keras_workshop.word2vec import similarity_spearman, wikipedia_excerpt  # noqa: E402

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


def run_ours(documents, epochs, with_callback, group_size, batches_per_step, batch_size=2048):
    set_deterministic(42, op_determinism=False)
    start = time.perf_counter()
    vocabulary = Vocabulary.from_tokens((w for d in documents for w in d), min_count=2)
    callbacks = [TimedNeighbours("word_vectors", vocabulary, PROBES, verbose=0, log_initial=False)] if with_callback else []
    TimedNeighbours.seconds = 0.0
    model = fit_skipgram_vectors(
        documents, vocabulary, epochs, dim=100, window=5, negatives=5, batch_size=batch_size, group_size=group_size,
        batches_per_step=batches_per_step, seed=42, callbacks=callbacks,
    )
    seconds = time.perf_counter() - start
    return seconds, scores(model.get_layer("word_vectors").embeddings.numpy(), vocabulary), TimedNeighbours.seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--group-size", type=int, default=32, help="pairs sharing one draw of negatives")
    parser.add_argument("--batches-per-step", type=int, default=8, help="updates per compiled step")
    parser.add_argument("--batch-size", type=int, default=2048, help="pairs per update")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds of the three runs")
    args = parser.parse_args()
    documents = wikipedia_excerpt()
    tokens = sum(map(len, documents))
    runs = {f"gensim alpha {alpha}": (lambda alpha=alpha: run_gensim(documents, args.epochs, alpha))
            for alpha in (0.025, 0.05)}
    runs["keras_workshop"] = lambda: run_ours(
        documents, args.epochs, with_callback=True, group_size=args.group_size,
        batches_per_step=args.batches_per_step, batch_size=args.batch_size,
    )
    results = {name: [] for name in runs}
    for round_number in range(args.repeats):  # interleaved: a slow spell of the machine hits all three
        for name, run in runs.items():
            results[name].append(run())
        ratio = results["keras_workshop"][-1][0] / min(results[name][-1][0] for name in runs if "gensim" in name)
        print(f"round {round_number + 1}: time ratio keras_workshop / fastest gensim {ratio:.2f}", flush=True)
    print(f"{tokens} tokens, {args.epochs} epochs, keras_workshop batches of {args.batch_size} pairs, group size "
          f"{args.group_size}, {args.batches_per_step} batches per step; medians of {args.repeats} interleaved rounds")
    print(f"{'':>22} {'wall s':>7} {'words/s':>9} {'WS-353':>7} {'SimLex':>7}")
    median = {}
    for name, values in results.items():
        seconds = float(np.median([value[0] for value in values]))
        ws, sl = np.median([value[1] for value in values], axis=0)
        median[name] = seconds
        print(f"{name:>22} {seconds:7.1f} {tokens * args.epochs / seconds:9.0f} {ws:7.3f} {sl:7.3f}")
    ratios = [ours[0] / min(results[name][index][0] for name in runs if "gensim" in name)
              for index, ours in enumerate(results["keras_workshop"])]
    print(f"time ratio keras_workshop / fastest gensim, per round: {' '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {np.median(ratios):.2f}")
    callback_seconds = float(np.median([value[2] for value in results["keras_workshop"]]))
    print(f"CosineNeighbours callback: {callback_seconds:.3f} s over {args.epochs} epochs, "
          f"{100 * callback_seconds / median['keras_workshop']:.2f}% of the training time")


if __name__ == "__main__":
    main()
