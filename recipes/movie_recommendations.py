"""
Title: Movie recommendations: top-k from the slides' parts, measured as recommenders are
Description: MovieLens-100k as implicit feedback (which movies each user chose), ranked by
the slides' Dropout block as a denoising recommender, EASE as one Dense layer, and a
two-tower model of the slides' Embedding -> Flatten -> Dropout -> Dense, next to "most
popular", item-kNN and EASE on RecBole's protocol; dropout on EASE's Dense layer in closed
form (DLAE, EDLAE); a dropout sweep; an export for TF
Serving that recommends for a known user and for a new profile.

Protocol (RecBole's default): each user's interactions split at random 8:1:1 into train,
validation and test (`--split-seeds`); every movie ranked, those seen in training left out;
Recall, NDCG, MRR, Hit and Precision at 10 over the users with a test movie. Settings are
chosen on validation (models fit on train); the test figures come from models fit on train
and validation, the baselines' too.

Outputs in `--out`: `topk.json` (every model, every split seed), `dropout_sweep.{png,svg}`
(validation NDCG@10 against the dropout rate), `neighbours_two_tower_cold_start.jsonl` and
`neighbours_two_tower_all.jsonl` (cosine neighbours of probe movies in the item table of each
two-tower training that answers new users, while it trains), `summary.json`; the export
`saved_models/movie_recommendations/<version>/`.

Run: python recipes/movie_recommendations.py [--data DIR] [--split-seeds 0 1 2] [--seed 42]
     [--negatives all|in-batch] [--out runs/movie_recommendations] [--saved-models saved_models]
     [--resume]
"""

import json
import os
import sys
import time

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_workshop.embeddings import CosineNeighbours, Vocabulary  # noqa: E402
from keras_workshop.movielens import (  # noqa: E402
    every_pair_rows,
    field_vocabulary,
    load_movielens,
    rating_rows,
    user_item_fields,
)
from keras_workshop.recommenders import (  # noqa: E402
    InBatchSoftmax,
    RecommendTables,
    SymbolDropout,
    TOPK_METRICS,
    ZeroDiagonal,
    ease_model,
    dlae_weights,
    ease_scores,
    edlae_weights,
    group_popular_scores,
    in_batch_model,
    item_table,
    item_knn_scores,
    most_popular_scores,
    predict_ratings,
    ratings_dataset,
    recommend_signatures,
    slide_rating_model,
    topk_metrics,
    topk_split,
    two_towers,
)
from keras_workshop.plots import plot_sweep  # noqa: E402
from keras_workshop.runtime import (  # noqa: E402
    Sequential,
    array_batches,
    batches_per_epoch,
    fraction,
    fractions,
    non_negative_int,
    one_of,
    positive_float,
    positive_int,
    recipe_settings,
    shortened,
    start_runtime,
)
from keras_workshop.serving import ServedModel, export_for_serving  # noqa: E402

PROBES = "item:50|item:1|item:127"  # Star Wars (1977), Toy Story (1995), The Godfather (1972)


"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

DATA: str = None  # a GroupLens ml-100k folder; None: the copy inside the recbole wheel
SPLIT_SEEDS: list[non_negative_int] = [0, 1, 2]  # seeds of the 8:1:1 splits reported, each once
EASE_L2: list[positive_float] = [200.0, 400.0, 800.0]  # EASE's λ values tried on validation, each once
SWEEP: fractions = [0.0, 0.25, 0.5, 0.75, 0.9]  # dropout rates of the denoising recommender tried on validation
EPOCHS: positive_int = 60  # epochs of the denoising recommender
TOWER_EPOCHS: positive_int = 15  # epochs of the two-tower model
DIM: positive_int = 64  # the two towers' vector size
NEGATIVES: one_of("all", "in-batch") = "all"  # the towers' softmax: every movie, or the batch's (large catalogues)
TOWER_DROPOUT_RATE: fraction = 0.2  # dropout in each tower
NEW_USER_RATE: fraction = 0.1  # how often training drops a user's id
PROFILE_DIM: positive_int = 16  # vector size of the towers that answer new users (cold start, profiles)
PROFILE_DROPOUT_RATE: fraction = 0.5  # dropout in those towers
PROFILE_NEW_USER_RATE: fraction = 0.5  # how often their training drops the id
COLD_USERS: fraction = 0.2  # share of users held out for the cold start (above 0)
RATING_EPOCHS: non_negative_int = 10  # most epochs of the rating model ranked by predicted stars (0: leave it out)
FIT_EPOCHS: positive_int = 6  # epochs of 100 full-batch steps of the Dropout -> Dense trained by fit (EDLAE)
FIT_LEARNING_RATE: positive_float = 0.03  # its Adam rate, decayed to 0 (cosine) over the steps
BATCH_SIZE: positive_int = 64  # users per batch (denoising)
TOWER_BATCH_SIZE: positive_int = 2048  # interactions per batch (two towers)
TOWER_LEARNING_RATE: positive_float = 3e-3  # Adam's rate for the two towers

args, parser = recipe_settings(globals(), "Top-k movie recommendations from the slides' parts, measured.",
                               out="runs/movie_recommendations")
if args.cold_users == 0:
    parser.error("--cold-users must be above 0: the cold start needs users held out")
if len(set(args.split_seeds)) != len(args.split_seeds):
    parser.error(f"--split-seeds {' '.join(map(str, args.split_seeds))}: each seed once (a repeat measures nothing new)")
if len(set(args.ease_l2)) != len(args.ease_l2):
    parser.error(f"--ease-l2 {' '.join(map(str, args.ease_l2))}: each value once (a repeat measures nothing new)")
args.ease_l2 = sorted(args.ease_l2)  # a tie on validation picks the smallest λ, however the values were written
short = shortened(args, parser, "split_seeds", "sweep", "epochs", "tower_epochs", "rating_epochs", "fit_epochs")
if short:  # said on screen and on the figure: a short run's picks are not the recipe's findings
    print(f"Short run ({short}): its figures and picks show this run, not the README's results.")
runtime = start_runtime(args, parser, global_batch=args.tower_batch_size)

"""
## Who chose what

Every rating is an interaction: a user chose to watch that movie. The models read each
user's bag of movies (a row of 1664 zeros and ones) or the user's and movies' symbols.
"""

try:
    data = load_movielens(args.data)
except (FileNotFoundError, ValueError) as error:  # no data, or a malformed file (named, with its line)
    sys.exit(str(error))
vocabulary, user_fields, item_fields = user_item_fields(data)
items = len(data.item_ids)
probes = [probe for probe in PROBES.split("|") if probe in vocabulary] or [f"item:{i}" for i in data.item_ids[:3]]
titles = {f"item:{item}": title for item, title in zip(data.item_ids, data.titles)}  # the neighbour log shows titles
splits = {seed: topk_split(data, seed=seed) for seed in args.split_seeds}
first = splits[args.split_seeds[0]]
print(f"{len(data.ratings)} interactions, {len(data.user_ids)} users, {items} movies; split seed "
      f"{first.seed}: {first.train.nnz} train, {first.valid.nnz} validation, {first.test.nnz} test")


"""
## The slides' Dropout block as a denoising recommender

A user's bag of movies -> `Dropout(rate)` -> `Dense(1664)`: dropout hides some of the movies a
user chose and the model must still rank them (Mult-DAE). The multinomial likelihood
(`CategoricalCrossentropy(from_logits=True)`) with the bag as its own target.
"""


def train_denoising(bags, rate, name):
    keras.utils.set_random_seed(args.seed)
    with runtime.strategy.scope():  # runtime.Sequential: a keras.Sequential that trains under every strategy
        model = Sequential([
            keras.Input((items,), name="liked"),
            keras.layers.Dropout(rate, name="denoising"),  # hides some of the movies the user chose
            keras.layers.Dense(items, name="logits"),  # one logit per movie
        ], name=name)
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    first_epoch = runtime.first_epoch(name)
    dataset = array_batches([bags, bags], batch_size=args.batch_size, shuffle_seed=args.seed, first_epoch=first_epoch)
    model.fit(dataset, epochs=args.epochs, initial_epoch=first_epoch,
              steps_per_epoch=batches_per_epoch(bags.shape[0], args.batch_size),
              shuffle=False, verbose=runtime.verbose, callbacks=runtime.backups(name))  # the batches come shuffled
    return model


def validation_ndcg(scores, split):
    return topk_metrics(scores, split.valid, split.train)["ndcg"]


train_bags = first.train.toarray().astype(np.float32)
sweep = []
for rate in args.sweep:
    model = train_denoising(train_bags, rate, f"denoising_sweep_{rate}")
    sweep.append(validation_ndcg(model.predict(train_bags, verbose=0), first))
    print(f"dropout rate {rate}: validation NDCG@10 {sweep[-1]:.4f}", flush=True)
best_rate = args.sweep[int(np.argmax(sweep))]

"""
## EASE as one Dense layer, and the baselines

EASE's item-item matrix is the kernel of a `Dense(1664, use_bias=False)` with a zero
diagonal, solved in closed form: the least-squares Dense layer that predicts each movie from
the others. λ is chosen on validation.
"""

ease_validation = {l2: validation_ndcg(ease_scores(first.train, l2), first) for l2 in args.ease_l2}
best_l2 = max(ease_validation, key=ease_validation.get)
references = {"EASE": ease_validation[best_l2], "most popular": validation_ndcg(most_popular_scores(first.train), first),
              "item-kNN": validation_ndcg(item_knn_scores(first.train), first)}
print(f"EASE λ on validation: {ease_validation} -> {best_l2}; denoising rate -> {best_rate}")

"""
## Dropout on EASE's Dense layer, in closed form

The slides list two regularisers side by side, an L2 penalty and dropout; on a linear layer they
are one. `Dropout(p)` on the bag feeding the Dense layer is, in expectation, an L2 penalty on
each movie's weights in proportion to how often it was chosen: DLAE (`dlae_weights`) and, with
EASE's zero diagonal, EDLAE (`edlae_weights`; EASE is EDLAE at p = 0). p and λ on validation.
"""

dropout_grid = [(rate, l2) for rate in args.sweep for l2 in [0.0, *args.ease_l2] if rate > 0 or l2 > 0]
closed_forms = {"EDLAE": edlae_weights, "DLAE": dlae_weights}
best_dropout, lines, edlae_validation = {}, {"the slides' Dropout -> Dense, denoising": sweep}, {}
for family, weights in closed_forms.items():
    validation = {(rate, l2): validation_ndcg(first.train @ weights(first.train, rate, l2), first) for rate, l2 in dropout_grid}
    best_dropout[family] = max(validation, key=validation.get)  # the grid's order: smallest p, then λ, on a tie
    edlae_validation = validation if family == "EDLAE" else edlae_validation
    print(f"{family} on validation: best p = {best_dropout[family][0]}, λ = {best_dropout[family][1]}: "
          f"NDCG@10 {validation[best_dropout[family]]:.4f} (EASE {ease_validation[best_l2]:.4f})")
    lines[f"{family} in closed form (best λ at each p)"] = [
        max((score for (rate, _), score in validation.items() if rate == p), default=np.nan) for p in args.sweep]

"""
## The same layer trained by `fit`

The slides' parts, trained: `Dropout(p)` -> `Dense(1664, use_bias=False)` with EASE's zero diagonal
(`ZeroDiagonal`), the squared error of giving back the whole bag, and an L2 penalty λ (divided by
the users x movies entries the mean squared error averages over), full-batch Adam. In expectation
that is EDLAE's objective: `fit` should land on the closed form, with the same NDCG@10 and
weights that correlate with the closed form's.
"""

FIT_STEPS = 100  # full-batch steps per epoch


def train_dropout_dense(bags, rate, l2, name):
    keras.utils.set_random_seed(args.seed)
    steps = FIT_STEPS * args.fit_epochs
    with runtime.strategy.scope():
        model = Sequential([
            keras.Input((items,), name="liked"),
            keras.layers.Dropout(rate, name="denoising"),
            keras.layers.Dense(items, use_bias=False, kernel_initializer="zeros", kernel_constraint=ZeroDiagonal(),
                               kernel_regularizer=keras.regularizers.L2(l2 / bags.size), name="item_item"),
        ], name=name)
        model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(args.fit_learning_rate,
                                                                                             steps)), loss="mse")
    first_epoch = runtime.first_epoch(name)
    model.fit(tf.data.Dataset.from_tensors((bags, bags)).repeat(), epochs=args.fit_epochs, initial_epoch=first_epoch,
              steps_per_epoch=FIT_STEPS, shuffle=False, verbose=runtime.verbose, callbacks=runtime.backups(name))
    return model.get_layer("item_item").kernel.numpy()


best_l2_at = {p: max((l2 for rate, l2 in dropout_grid if rate == p), key=lambda l2: edlae_validation[(p, l2)])
              for p in args.sweep}
lines["EDLAE's objective trained by fit"] = [
    validation_ndcg(train_bags @ train_dropout_dense(train_bags, p, best_l2_at[p], f"dropout_dense_sweep_{p}"), first)
    for p in args.sweep]
for p, trained in zip(args.sweep, lines["EDLAE's objective trained by fit"]):
    print(f"p = {p}, λ = {best_l2_at[p]}: validation NDCG@10 by fit {trained:.4f}, closed form "
          f"{edlae_validation[(p, best_l2_at[p])]:.4f}")
written = plot_sweep(
    args.sweep, lines, references,
    "Top-k: validation NDCG@10 against the dropout rate" + (f"\nshort run: {short}" if short else ""),
    os.path.join(runtime.out, "dropout_sweep"), xlabel="dropout rate on the bag of movies", ylabel="NDCG@10 (validation)",
)

"""
## Two towers: the user's symbols and the movie's, scored by a dot product

User tower: `user:<id>`, gender, age band, occupation; item tower: `item:<id>` and genres;
each `Embedding -> Flatten -> Dropout -> Dense`. A softmax over all 1664 movies (exact at this
size), or with `--negatives in-batch`, over the movies of the batch (`in_batch_model`: keras-rs'
`SamplingProbabilityCorrection` and accidental hits removed), as for catalogues too large for
the full softmax. `SymbolDropout` replaces a user's id by `user:[new]` in 10% of the steps: the tower
also learns to answer a user it has never seen from descriptors alone.
"""


def tower(fields, dim, rate, name, *first):
    """The slides' `Embedding -> Flatten -> Dropout -> Dense` on a row of `fields` symbols (after `first`)."""
    return Sequential([
        keras.Input((fields,), dtype="int32", name=f"{name}_fields"),
        *first,
        keras.layers.Embedding(len(vocabulary), dim, name=f"{name}_embedding"),
        keras.layers.Flatten(),
        keras.layers.Dropout(rate),
        keras.layers.Dense(dim, name=f"{name}_vector"),
    ], name=name)


def train_two_tower(matrix, name, for_new_users=False):
    """Two towers fit to `matrix`; `for_new_users`: the smaller, more regularised ones that answer from descriptors."""
    keras.utils.set_random_seed(args.seed)
    users, chosen = matrix.nonzero()
    if for_new_users:
        dim, rate, new_user_rate = args.profile_dim, args.profile_dropout_rate, args.profile_new_user_rate
    else:
        dim, rate, new_user_rate = args.dim, args.tower_dropout_rate, args.new_user_rate
    with runtime.strategy.scope():
        new_user = SymbolDropout(new_user_rate, unknown_id=0, seed=args.seed, name="new_user")  # user:[new] is id 0
        model = two_towers(tower(user_fields.shape[1], dim, rate, "user_tower", new_user),
                           tower(item_fields.shape[1], dim, rate, "item_tower"), item_fields, name=name)
    if args.negatives == "all":  # a softmax over every movie: the user's fields in, the chosen movie's index out
        trained = model
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        inputs = user_fields[users]
    else:  # the other rows' movies are the negatives, corrected for how often each is sampled
        with runtime.strategy.scope():
            trained = in_batch_model(model, np.bincount(chosen, minlength=items) / len(chosen))
        loss = InBatchSoftmax()
        inputs = np.c_[user_fields[users], chosen]  # the chosen movie rides along: it is the row's positive
    with runtime.strategy.scope():
        trained.compile(optimizer=keras.optimizers.Adam(args.tower_learning_rate), loss=loss)
    first_epoch = runtime.first_epoch(name)
    dataset = array_batches([inputs.astype(np.int32), chosen.astype(np.int32)], batch_size=args.tower_batch_size,
                            shuffle_seed=args.seed, first_epoch=first_epoch)
    callbacks = []
    if for_new_users:
        callbacks.append(CosineNeighbours(item_table(model), vocabulary, probes, k=5,
                                          every=max(1, args.tower_epochs // 4), name=name, labels=titles,
                                          log_path=os.path.join(runtime.out, f"neighbours_{name}.jsonl")))
    callbacks += runtime.backups(name, callbacks)
    trained.fit(dataset, epochs=args.tower_epochs, initial_epoch=first_epoch,
                steps_per_epoch=batches_per_epoch(len(chosen), args.tower_batch_size),
                shuffle=False, verbose=runtime.verbose, callbacks=callbacks)
    return model


"""
## The rating model, ranking by predicted stars

The slides' rating `Sequential` (`recipes/movie_ratings.py`) fit to the stars of the same
interactions, early stopping on 5% of them, then every unseen movie ranked by its predicted
stars: a model trained for RMSE, measured as a recommender.
"""

rating_vocabulary = field_vocabulary(data)
rows_of_ratings = rating_rows(data, rating_vocabulary, data.rating_users, data.rating_items)
rating_user = Vocabulary(data.user_ids.tolist()).ids(data.rating_users.tolist())
rating_item = Vocabulary(data.item_ids.tolist()).ids(data.rating_items.tolist())
pairs = every_pair_rows(data, rating_vocabulary) if args.rating_epochs else None


def rating_model_scores(seen, name):
    chosen = np.asarray(seen[rating_user, rating_item]).ravel() > 0
    rows, stars = rows_of_ratings[chosen], data.ratings[chosen]
    held = np.random.default_rng(args.seed).random(len(rows)) < 0.05
    keras.utils.set_random_seed(args.seed)
    with runtime.strategy.scope():
        model = slide_rating_model(len(rating_vocabulary), rows.shape[1], mean_rating=float(stars.mean()))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse",
                      metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
    first_epoch = runtime.first_epoch(name)
    dataset = ratings_dataset(rows[~held], stars[~held], batch_size=256, shuffle_seed=args.seed,
                              first_epoch=first_epoch)
    stopping = keras.callbacks.EarlyStopping("val_rmse", patience=3, restore_best_weights=True)
    model.fit(dataset, validation_data=ratings_dataset(rows[held], stars[held], batch_size=4096),
              epochs=args.rating_epochs, initial_epoch=first_epoch, steps_per_epoch=batches_per_epoch(int((~held).sum()), 256), shuffle=False,
              verbose=runtime.verbose,
              callbacks=[stopping, *runtime.backups(name, [stopping])])
    return predict_ratings(model, pairs).reshape(len(data.user_ids), items)


"""
## Every model on every split: the test figures

Settings from validation; each model is fit on train and validation, then ranks every movie
each user has not seen for the test.
"""

report = {}
timings = {}
fit_against_closed = {}  # per split seed: how close `fit` came to the closed form
for seed, split in splits.items():
    seen = split.seen_before_test
    bags = seen.toarray().astype(np.float32)
    scores = {"most popular": most_popular_scores(seen), "item-kNN": item_knn_scores(seen),
              "EASE (NumPy)": ease_scores(seen, best_l2)}
    for family, weights in closed_forms.items():
        rate, l2 = best_dropout[family]
        scores[f"{family} (closed form)"] = np.asarray(seen @ weights(seen, rate, l2))
    start = time.perf_counter()
    trained = train_dropout_dense(bags, *best_dropout["EDLAE"], f"dropout_dense_{seed}")
    scores["Dropout -> Dense by fit"] = bags @ trained
    timings.setdefault("Dropout -> Dense by fit", []).append(time.perf_counter() - start)
    closed = edlae_weights(seen, *best_dropout["EDLAE"])
    fit_against_closed[seed] = {"correlation": float(np.corrcoef(trained.ravel(), closed.ravel())[0, 1])}
    if args.rating_epochs:
        scores["rating model, by stars"] = rating_model_scores(seen, f"rating_model_{seed}")
    start = time.perf_counter()
    scores["EASE as a Dense layer"] = ease_model(seen, best_l2).predict(bags, verbose=0)
    timings.setdefault("EASE as a Dense layer", []).append(time.perf_counter() - start)
    start = time.perf_counter()
    model = train_denoising(bags, best_rate, f"denoising_{seed}")
    scores[f"denoising, rate {best_rate}"] = model.predict(bags, verbose=0)
    timings.setdefault(f"denoising, rate {best_rate}", []).append(time.perf_counter() - start)
    start = time.perf_counter()
    model = train_two_tower(seen, f"two_tower_{seed}")
    scores["two towers"] = model.predict(user_fields, verbose=0)
    timings.setdefault("two towers", []).append(time.perf_counter() - start)
    for name, values in scores.items():
        report.setdefault(name, {})[seed] = topk_metrics(values, split.test, seen)
    print(f"split {seed}: " + "; ".join(f"{name} {r[seed]['ndcg']:.4f}" for name, r in report.items()), flush=True)
    fit_against_closed[seed]["ndcg gap"] = report["Dropout -> Dense by fit"][seed]["ndcg"] - report["EDLAE (closed form)"][seed]["ndcg"]
    print(f"split {seed}: Dropout -> Dense by fit against EDLAE's closed form: NDCG@10 "
          f"{fit_against_closed[seed]['ndcg gap']:+.4f}, weights' correlation {fit_against_closed[seed]['correlation']:.4f}")

print(f"\n{'NDCG@10 per split seed, then the mean of every metric':<32}")
header = "".join(f"{seed:>8}" for seed in splits) + "".join(f"{metric + '@10':>13}" for metric in TOPK_METRICS)
print(f"{'':<26}{header}")
for name, per_seed in report.items():
    means = [np.mean([per_seed[seed][metric] for seed in splits]) for metric in TOPK_METRICS]
    print(f"{name:<26}" + "".join(f"{per_seed[seed]['ndcg']:>8.4f}" for seed in splits)
          + "".join(f"{mean:>13.4f}" for mean in means))

"""
## Cold start: users the model has never seen

`--cold-users` of the users are held out entirely; two towers are trained on the others and
answer each held-out user from gender, age band and occupation alone (`user:[new]` in the id
field), ranking every movie. Descriptors say less than ids, so these towers are smaller and
more regularised (`--profile-dim 16`, dropout 0.5, the id dropped in half the steps); they
also serve `recommend_for_profile`. Next to them: "most popular" of the other users and "most
popular" among the other users of the same gender and age band. Then each held-out user tells
three movies they chose (`recommend_for_profile`'s liked titles): EASE over those three against
"most popular", the rest of the user's movies to find.
"""

rng = np.random.default_rng(args.seed)
held_out = np.sort(rng.choice(len(data.user_ids), max(1, int(args.cold_users * len(data.user_ids))), replace=False))
is_kept = ~np.isin(np.arange(len(data.user_ids)), held_out)
everything = first.seen_before_test + first.test
trained_on = everything.multiply(is_kept[:, None]).tocsr()
cold_model = train_two_tower(trained_on, "two_tower_cold_start", for_new_users=True)
new_users = user_fields[held_out].copy()
new_users[:, 0] = 0  # user:[new]: descriptors alone
gender_and_age = [f"{gender} {band}" for gender, band in zip(data.genders, vocabulary.to_symbols(user_fields[:, 2]))]
cold_scores = {
    "two towers, descriptors only": cold_model.predict(new_users, verbose=0),
    "most popular": most_popular_scores(trained_on)[held_out],
    "most popular, same gender and age band": group_popular_scores(trained_on, gender_and_age)[held_out],
}
relevant = everything[held_out].toarray() > 0
cold = {name: topk_metrics(values, relevant, np.zeros_like(relevant)) for name, values in cold_scores.items()}
liked = np.zeros_like(relevant)
for row, chosen in enumerate(relevant):
    chosen = np.flatnonzero(chosen)
    liked[row, rng.choice(chosen, min(3, len(chosen) - 1), replace=False)] = True  # at least one left to find
cold |= {f"{name}, 3 liked titles": topk_metrics(values, relevant & ~liked, liked) for name, values in (
    ("EASE", ease_model(trained_on, best_l2).predict(liked.astype(np.float32), verbose=0)),
    ("most popular", cold_scores["most popular"]),
)}
for name, metrics in cold.items():
    print(f"cold start, {len(held_out)} new users: {name:<42} NDCG@10 {metrics['ndcg']:.4f} "
          f"Recall@10 {metrics['recall']:.4f}")

"""
## Export: recommendations for a known user and for a new profile

Trained on every interaction: EASE as the Dense layer ranks a known user's unseen movies,
and a new user's by the titles they like; the two towers answer a profile with no titles.
"""

all_bags = everything.toarray().astype(np.float32)
served_ease = ease_model(everything, best_l2, name="ease_all")
served_towers = train_two_tower(everything, "two_tower_all", for_new_users=True)
tables = RecommendTables(data, everything, vocabulary)
most_chosen = data.titles[np.argsort(-np.asarray(everything.sum(axis=0)).ravel(), kind="stable")[:2]].tolist()
sample_profile = {"gender": data.genders[:2].tolist(), "age": [30, 19], "occupation": data.occupations[:2].tolist(),
                  "liked_titles": [["", ""], most_chosen]}
signatures = recommend_signatures(served_ease, served_towers, tables, data.user_ids[:2].tolist() + ["no such user"],
                                sample_profile)
path = export_for_serving(served_ease, "movie_recommendations", base_dir=runtime.saved_models,
                          signatures=signatures, resources=[tables, served_towers])
with ServedModel(path) as served:  # the export as TF Serving's C++ loader runs it, asked by input and output names
    known = served.run("recommend", {"user_id": np.array(data.user_ids[:1], object), "k": np.int32(5)})["titles"]
    new = served.run("recommend_for_profile", {
        "gender": np.array(sample_profile["gender"], object), "age": np.array(sample_profile["age"], np.int32),
        "occupation": np.array(sample_profile["occupation"], object),
        "liked_titles": np.array(sample_profile["liked_titles"], object), "k": np.int32(5)})["titles"]
print(f"recommend for user {data.user_ids[0]}:", known[0].tolist())
print(f"recommend_for_profile ({sample_profile['gender'][0]}, 30, {sample_profile['occupation'][0]}, no titles):",
      new[0].tolist())
print(f"recommend_for_profile (liking {' and '.join(most_chosen)}):", new[1].tolist())
summary = {
    "test": report, "cold start": cold,
    "dropout closed forms": {family: {"rate": rate, "l2": l2} for family, (rate, l2) in best_dropout.items()},
    "fit against the closed form": fit_against_closed,
    "dropout sweep": dict(zip(map(str, args.sweep), sweep)),
    "ease validation": {str(k): v for k, v in ease_validation.items()}, "chosen": {"l2": best_l2, "rate": best_rate},
    "seconds": {name: float(np.mean(values)) for name, values in timings.items()}, "settings": vars(args),
}
with open(os.path.join(runtime.out, "summary.json"), "w") as file:
    json.dump(summary, file, indent=2)
with open(os.path.join(runtime.out, "topk.json"), "w") as file:
    json.dump(report, file, indent=2)
print("Wrote", *written, path, os.path.join(runtime.out, "summary.json"), sep="\n  ")
