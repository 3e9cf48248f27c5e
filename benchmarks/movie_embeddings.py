"""Benchmark: item skip-gram on MovieLens-100k, this project against gensim Word2Vec.

Both train skip-gram with negative sampling on the same "sentences": each user's movies rated
4 or 5, by title, in the order they were rated (`keras_workshop.movielens.liked_sequences`).
The same settings for both (those of `recipes/movie_embeddings.py`): dim 32, window 20,
min_count 2, 5 negatives, sample 1e-4, 30 epochs, alpha 0.025; gensim with 2 worker threads,
this project with batches of 2048 pairs, groups of 32 sharing negatives, 8 batches per step.
Quality: the share of the top-10 cosine neighbours that share a genre with the movie, over
the movies with at least 20 ratings (searched among themselves). In interleaved rounds
(`--repeats`), it prints median wall times (vocabulary + training) and shares, and the time
ratio per round.

Run: python benchmarks/movie_embeddings.py [--repeats 3] [--epochs 30]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from keras_workshop.embeddings import Vocabulary, nearest_neighbours  # noqa: E402
from keras_workshop.movielens import genre_matrix, genre_share, liked_sequences, load_movielens  # noqa: E402
from keras_workshop.runtime import set_deterministic  # noqa: E402
from _trainings import fit_skipgram_vectors  # noqa: E402

SETTINGS = dict(dim=32, window=20, min_count=2, negatives=5, sample=1e-4, alpha=0.025)
# this project only: pairs per batch, pairs sharing a draw of negatives, batches per compiled step
BATCH_SIZE, GROUP_SIZE, BATCHES_PER_STEP = 2048, 32, 8


def share(vectors, symbols, data, scored_titles):
    """Genre share of the scored movies' top-10 neighbours among themselves."""
    rows = Vocabulary(list(symbols)).ids(scored_titles)
    genres = genre_matrix(data, scored_titles)
    ids, _ = nearest_neighbours(np.asarray(vectors)[rows], np.arange(len(rows)), k=10)
    return genre_share(genres, np.arange(len(rows)), ids)


def run_gensim(sequences, epochs, seed):
    from gensim.models import Word2Vec

    start = time.perf_counter()
    model = Word2Vec(
        sequences, sg=1, vector_size=SETTINGS["dim"], window=SETTINGS["window"], min_count=SETTINGS["min_count"],
        negative=SETTINGS["negatives"], sample=SETTINGS["sample"], alpha=SETTINGS["alpha"], epochs=epochs,
        workers=2, seed=seed,
    )
    return time.perf_counter() - start, model.wv.vectors, model.wv.index_to_key


def run_ours(sequences, epochs, seed, batch_size=BATCH_SIZE, group_size=GROUP_SIZE, batches_per_step=BATCHES_PER_STEP):
    set_deterministic(seed, op_determinism=False)
    start = time.perf_counter()
    vocabulary = Vocabulary.from_tokens((title for s in sequences for title in s), min_count=SETTINGS["min_count"])
    model = fit_skipgram_vectors(
        sequences, vocabulary, epochs, dim=SETTINGS["dim"], window=SETTINGS["window"], negatives=SETTINGS["negatives"],
        sample=SETTINGS["sample"], learning_rate=SETTINGS["alpha"], batch_size=batch_size, group_size=group_size,
        batches_per_step=batches_per_step, seed=seed,
    )
    return time.perf_counter() - start, model.get_layer("word_vectors").embeddings.numpy(), vocabulary.symbols


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    data = load_movielens()
    sequences = liked_sequences(data)
    counts = dict(zip(*np.unique(data.rating_items, return_counts=True)))
    liked = Vocabulary.from_tokens((t for s in sequences for t in s), min_count=SETTINGS["min_count"])
    scored = [t for t, i in zip(data.titles.tolist(), data.item_ids.tolist()) if counts.get(i, 0) >= 20 and t in liked]
    results = {"gensim": [], "keras_workshop": []}
    for round_number in range(args.repeats):
        for name, run in (("gensim", run_gensim), ("keras_workshop", run_ours)):
            seconds, vectors, symbols = run(sequences, args.epochs, 42 + round_number)
            results[name].append((seconds, share(vectors, symbols, data, scored)))
        ratio = results["keras_workshop"][-1][0] / results["gensim"][-1][0]
        print(f"round {round_number + 1}: time ratio keras_workshop / gensim {ratio:.2f}", flush=True)
    print(f"{sum(map(len, sequences))} liked ratings of {len(sequences)} users, {args.epochs} epochs, "
          f"{len(scored)} movies scored; medians of {args.repeats} interleaved rounds")
    print(f"{'':>16} {'wall s':>7} {'genre share':>12}")
    for name, rounds in results.items():
        print(f"{name:>16} {statistics.median(s for s, _ in rounds):7.2f} {statistics.median(q for _, q in rounds):12.3f}")
    ratios = [ours[0] / theirs[0] for ours, theirs in zip(results["keras_workshop"], results["gensim"])]
    print(f"time ratio keras_workshop / gensim, per round: {' '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
