"""
Title: Movie embeddings: item ids as symbols, learned from what users liked
Description: The slide's Embedding layer trained as item vectors on MovieLens-100k (item
skip-gram over each user's liked movies in time order), with the cosine neighbours of probe
movies logged by title while it learns, scored by how often neighbours share a genre, drawn
as a 2-D map coloured by genre, and exported for TF Serving with titles in and titles out.

The slides name item ids as symbols for recommender systems. Movies liked by the same people
at about the same time are each other's context, as words in a sentence are: the word-vector
pipeline (`keras_workshop.word2vec`) runs unchanged on these "sentences" of titles, and the
item table is the slide's `Embedding(output_dim=d, input_dim=n, input_length=1)`.

Outputs in `--out`: `neighbours.jsonl` (probe neighbours and the genre-sharing share per
epoch), TensorBoard logs and projector files, `movie_map_tsne.{png,svg}`, `summary.json`;
the vectors are exported to `saved_models/movie_embeddings/<version>/` with
`neighbours_symbols` taking and returning titles.

Run: python recipes/movie_embeddings.py [--data DIR] [--epochs 30] [--dim 32] [--window 20]
     [--seed 42] [--out runs/movie_embeddings] [--saved-models saved_models] [--resume]
"""

import json
import os
import sys

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import numpy as np  # noqa: E402

from keras_workshop import slides  # noqa: E402
from keras_workshop.embeddings import CosineNeighbours, Vocabulary, nearest_neighbours, write_projector  # noqa: E402
from keras_workshop.movielens import (  # noqa: E402
    GENRES,
    genre_baselines,
    genre_matrix,
    genre_share,
    liked_sequences,
    load_movielens,
)
from keras_workshop.plots import plot_embedding_map  # noqa: E402
from keras_workshop.runtime import (  # noqa: E402
    non_negative_float,
    positive_float,
    positive_int,
    recipe_settings,
    start_runtime,
)
from keras_workshop.serving import export_for_serving  # noqa: E402
from keras_workshop.word2vec import compile_skipgram, skipgram_dataset, skipgram_model  # noqa: E402

"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

DATA: str = None  # a GroupLens ml-100k folder; None: the copy inside the recbole wheel
EPOCHS: positive_int = 30  # passes over the liked sequences
DIM: positive_int = 32  # embedding size d
WINDOW: positive_int = 20  # liked movies on each side that are context
NEGATIVES: positive_int = 5  # negative samples per pair
SAMPLE: non_negative_float = 1e-4  # subsampling of often-liked movies (word2vec's); 0 keeps every one
BATCH_SIZE: positive_int = 2048  # pairs per update
GROUP_SIZE: positive_int = 32  # pairs that share one draw of negatives
BATCHES_PER_STEP: positive_int = 8  # updates per compiled training step
MIN_COUNT: positive_int = 2  # movies liked fewer times get no vector
MIN_RATINGS: positive_int = 20  # movies scored and searched: this many ratings
LEARNING_RATE: positive_float = 0.025  # per-pair rate, as gensim's alpha
PROBES: str = "Star Wars (1977)|Toy Story (1995)|Fargo (1996)|Shawshank Redemption, The (1994)|Scream (1996)"  # titles, by |

args, parser = recipe_settings(globals(), "Item vectors from what MovieLens users liked.", out="runs/movie_embeddings")
if args.batch_size % args.group_size:
    parser.error(f"--batch-size {args.batch_size} must be a multiple of --group-size {args.group_size}")

# XLA compiles the skip-gram step; XLA on CPU is repeatable, so the same seed gives the same vectors.
runtime = start_runtime(args, parser, global_batch=args.batch_size, op_determinism=False)

"""
## Item ids as symbols

Each user's movies rated 4 or 5, in the order they were rated, are one "sentence" of titles.
Movies liked at least `--min-count` times get a vector, most liked first.
"""

try:
    data = load_movielens(args.data)
except (FileNotFoundError, ValueError) as error:  # no data, or a malformed file (named, with its line)
    sys.exit(str(error))
sequences = liked_sequences(data)
try:
    vocabulary = Vocabulary.from_tokens((title for sequence in sequences for title in sequence), min_count=args.min_count)
except ValueError as error:  # --min-count above every count
    parser.error(f"--min-count {args.min_count}: {error}")
print(f"{len(sequences)} users' liked movies, {sum(map(len, sequences))} in all; {len(vocabulary)} movies get a vector")
probes = args.probes.split("|")
unknown = [title for title in probes if title not in vocabulary]
if unknown:
    sys.exit(f"Probes not among the movies with vectors: {unknown}; titles read like 'Star Wars (1977)'.")

"""
## What counts as a good neighbour

A movie's neighbours should be movies the same people like; genres are an outside check:
the share of each movie's top-10 cosine neighbours that share at least one genre with it,
over the movies with at least `--min-ratings` ratings (searched among themselves), next to
random pairs and to answering every movie with the most rated ones.
"""

titles = vocabulary.symbols
genres = genre_matrix(data, titles)
ratings_of = dict(zip(*np.unique(data.rating_items, return_counts=True)))
rated = {title: int(ratings_of.get(item, 0)) for title, item in zip(data.titles.tolist(), data.item_ids.tolist())}
scored = np.array([i for i, title in enumerate(titles) if rated[title] >= args.min_ratings], dtype=np.int64)
if len(scored) < 11:  # each scored movie needs 10 neighbours among the others
    most = max(rated[title] for title in titles)
    parser.error(f"--min-ratings {args.min_ratings}: {len(scored)} movies with vectors have that many ratings "
                 f"(the most rated has {most}); expected at least 11, to score 10 neighbours of each.")
baselines = genre_baselines(genres[scored], np.arange(len(scored)), [rated[titles[i]] for i in scored], seed=args.seed)
print(f"{len(scored)} movies with >= {args.min_ratings} ratings; genre share of random pairs "
      f"{baselines['random pairs']:.3f}, of the most rated movies {baselines['most popular']:.3f}")


def shared_genres(weights):
    """The genre share of the scored movies' top-10 neighbours among themselves."""
    neighbour_ids, _ = nearest_neighbours(weights[scored], np.arange(len(scored)), k=10)
    return {"genre share": genre_share(genres[scored], np.arange(len(scored)), neighbour_ids)}


"""
## Skip-gram over liked movies, the slide's Embedding as item vectors

The pipeline and the model of the word vectors, unchanged: fresh pairs every epoch, groups of
pairs sharing their negatives, plain SGD with word2vec's decaying rate under XLA.
"""

neighbours = CosineNeighbours(
    "word_vectors",
    vocabulary,
    probes,
    k=5,
    every=max(1, args.epochs // 5),
    log_path=os.path.join(runtime.out, "neighbours.jsonl"),
    tensorboard_dir=os.path.join(runtime.out, "tensorboard"),
    evaluate=shared_genres,
)
batches_per_step = args.batches_per_step if runtime.replicas == 1 else 1  # one batch per step on several replicas
first_epoch = runtime.first_epoch("skipgram")  # 0, or with --resume the epoch it resumes at
dataset, steps_per_epoch = skipgram_dataset(
    sequences,
    vocabulary,
    window=args.window,
    negatives=args.negatives,
    sample=args.sample,
    batch_size=args.batch_size,
    group_size=args.group_size,
    batches_per_step=batches_per_step,
    seed=args.seed,
    first_epoch=first_epoch,
)
with runtime.strategy.scope():
    model = skipgram_model(len(vocabulary), args.dim, args.negatives, args.group_size)
    compile_skipgram(model, args.batch_size, steps_per_epoch, args.epochs, batches_per_step, args.learning_rate)
model.fit(
    dataset,
    epochs=args.epochs,
    initial_epoch=first_epoch,
    steps_per_epoch=steps_per_epoch,
    shuffle=False,  # the stream draws new pairs, in a new order, every epoch
    verbose=runtime.verbose,
    callbacks=[neighbours, *runtime.backups("skipgram", [neighbours])],
)

"""
## Neighbours by title

The trained table's top-10 neighbours of each probe, among the movies with at least
`--min-ratings` ratings.
"""

weights = model.get_layer("word_vectors").embeddings.numpy()
final = shared_genres(weights)["genre share"]
scored_titles = [titles[i] for i in scored]
table = {}
for probe in probes:
    position = scored_titles.index(probe) if probe in scored_titles else None
    if position is None:  # a probe with fewer ratings: searched among the scored movies all the same
        ids, scores = nearest_neighbours(np.vstack([weights[scored], weights[vocabulary.ids(probe)][None]]), len(scored), k=10)
    else:
        ids, scores = nearest_neighbours(weights[scored], position, k=10)
    table[probe] = [[titles[scored[i]], round(float(s), 3)] for i, s in zip(ids, scores)]
    print(f"\n{probe}:")
    for name, score in table[probe]:
        print(f"  {score:.2f}  {name}")
print(f"\ngenre share of top-10 neighbours: {final:.3f} (random pairs {baselines['random pairs']:.3f}, "
      f"most rated movies {baselines['most popular']:.3f})")

"""
## A map of the movies, coloured by genre

The scored movies placed by t-SNE on cosine distance, coloured by their first genre (in
GroupLens' order), the 30 most rated labelled.
"""

by_popularity = scored[np.argsort([-rated[titles[i]] for i in scored], kind="stable")]
main_genre = [next(g for g, flag in zip(GENRES, genres[i]) if flag) for i in by_popularity]
written = plot_embedding_map(
    weights[by_popularity], [titles[i] for i in by_popularity], os.path.join(runtime.out, "movie_map_tsne"),
    top=len(by_popularity), seed=args.seed, categories=main_genre, labelled=30,
    title=f"Movie vectors: the {len(by_popularity)} movies with >= {args.min_ratings} ratings (t-SNE), by first genre",
)
written += write_projector(weights, titles, os.path.join(runtime.out, "tensorboard"), name="movie_vectors")

"""
## Export: titles in, titles out

The vectors alone, as the slide's model, with the titles inside the served graph:
`neighbours_symbols` takes titles and returns titles (unknown titles: `found = false`).
"""

served = slides.Sequential(name="movie_embeddings")
served.add(slides.Embedding(output_dim=args.dim, input_dim=len(vocabulary), input_length=1, weights=[weights]))
written.append(
    export_for_serving(served, "movie_embeddings", base_dir=runtime.saved_models, output_name="vectors", vocabulary=vocabulary)
)
summary = {
    "genre share": final,
    "baselines": baselines,
    "per epoch": {record["epoch"]: record["scores"]["genre share"] for record in neighbours.history},
    "neighbours": table,
    "settings": vars(args),
}
with open(os.path.join(runtime.out, "summary.json"), "w") as file:
    json.dump(summary, file, indent=2)
print("Wrote", *written, os.path.join(runtime.out, "neighbours.jsonl"), os.path.join(runtime.out, "summary.json"), sep="\n  ")
