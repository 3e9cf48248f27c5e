"""
Title: Movie recommendations: top-k from the slides' parts, measured as recommenders are
Description: MovieLens-100k as implicit feedback (which movies each user chose), ranked by
the slides' Dropout block as a denoising recommender (Mult-DAE), EASE as one Dense layer and
with dropout on its input (EDLAE), a blend of the two, and a two-tower model of the slides'
Embedding -> Flatten -> Dropout -> Dense, next to "most popular", item-kNN and EASE on
RecBole's protocol, each against EASE on the same splits with its standard error; an export
for TF Serving that recommends for a known user and for a new profile.

Protocol (RecBole's default): each user's interactions split at random 8:1:1 into train,
validation and test (`--split-seeds`); every movie ranked, those seen in training left out;
Recall, NDCG, MRR, Hit and Precision at 10 over the users with a test movie. Settings are
chosen on validation (models fit on train); the test figures come from models fit on train
and validation, the baselines' too.

Outputs in `--out`: `topk.json` (every model, every split seed), `against_ease.{png,svg}`
(each model's NDCG@10 minus EASE's, with its error bar), `neighbours_two_tower_cold_start.jsonl` and
`neighbours_two_tower_all.jsonl` (cosine neighbours of probe movies in the item table of each
two-tower training that answers new users, while it trains), `summary.json`; the export
`saved_models/movie_recommendations/<version>/`.

Run: python recipes/movie_recommendations.py [--data DIR] [--split-seeds 0 1 2 3 4] [--seed 42]
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
    MultinomialLikelihood,
    RecommendTables,
    ScoreBlend,
    SymbolDropout,
    TOPK_METRICS,
    TopKValidation,
    ease_model,
    ease_scores,
    ease_weights,
    edlae_weights,
    group_popular_scores,
    in_batch_model,
    item_item_model,
    item_table,
    item_knn_scores,
    most_popular_scores,
    paired_difference,
    predict_ratings,
    ratings_dataset,
    recommend_signatures,
    score_blend_model,
    slide_rating_model,
    topk_metrics,
    topk_split,
    two_towers,
)
from keras_workshop.plots import plot_paired_differences  # noqa: E402
from keras_workshop.runtime import (  # noqa: E402
    Sequential,
    array_batches,
    batches_per_epoch,
    fraction,
    fractions,
    non_negative_float,
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
SPLIT_SEEDS: list[non_negative_int] = [0, 1, 2, 3, 4]  # seeds of the 8:1:1 splits reported, each once
EASE_L2: list[positive_float] = [200.0, 400.0, 800.0]  # EASE's λ values tried on validation, each once
EDLAE_RATES: fractions = [0.25, 0.5, 0.75]  # dropout rates p on EASE's Dense layer tried on validation (EDLAE)
DROPOUT_RATE: fraction = 0.5  # the denoising recommender's dropout on the bag
HIDDEN: positive_int = 600  # its hidden layer's width (tanh)
L2: non_negative_float = 1e-3  # its L2 penalty on both kernels
MAX_EPOCHS: positive_int = 150  # its most epochs on validation; the best epoch's count is kept for the test
PATIENCE: positive_int = 10  # epochs without a better validation NDCG@10 before it stops
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
BATCH_SIZE: positive_int = 128  # users per batch (denoising)
TOWER_BATCH_SIZE: positive_int = 2048  # interactions per batch (two towers)
TOWER_LEARNING_RATE: positive_float = 3e-3  # Adam's rate for the two towers

args, parser = recipe_settings(globals(), "Top-k movie recommendations from the slides' parts, measured.",
                               out="runs/movie_recommendations")
if args.cold_users == 0:
    parser.error("--cold-users must be above 0: the cold start needs users held out")
if len(set(args.split_seeds)) != len(args.split_seeds):
    parser.error(f"--split-seeds {' '.join(map(str, args.split_seeds))}: each seed once (a repeat measures nothing new)")
if len(set(args.split_seeds)) < 2:
    print("One split seed: the differences against EASE have no standard error (NaN); give two or more for one.")
if len(set(args.ease_l2)) != len(args.ease_l2):
    parser.error(f"--ease-l2 {' '.join(map(str, args.ease_l2))}: each value once (a repeat measures nothing new)")
args.ease_l2 = sorted(args.ease_l2)  # a tie on validation picks the smallest λ, however the values were written
short = shortened(args, parser, "split_seeds", "edlae_rates", "max_epochs", "tower_epochs", "rating_epochs")
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

Mult-DAE (Liang et al. 2018): a user's bag of movies, brought to length 1, -> `Dropout` ->
`Dense(600, tanh)` -> `Dense(1664)`: dropout hides some of the movies a user chose and the model
must still rank them. The multinomial likelihood with the bag as its own target
(`MultinomialLikelihood`: Keras' `CategoricalCrossentropy` has its value but not its gradient
on a bag of several movies). How long to train is chosen on validation: `TopKValidation` logs
NDCG@10 each epoch and `EarlyStopping` gives back the best epoch's weights.
"""


def train_denoising(bags, epochs, name, validation=None):
    keras.utils.set_random_seed(args.seed)
    with runtime.strategy.scope():  # runtime.Sequential: a keras.Sequential that trains under every strategy
        model = Sequential([
            keras.Input((items,), name="liked"),
            keras.layers.UnitNormalization(name="normalised"),  # each bag to length 1
            keras.layers.Dropout(args.dropout_rate, name="denoising"),  # hides some of the movies the user chose
            keras.layers.Dense(args.hidden, activation="tanh", kernel_regularizer=keras.regularizers.L2(args.l2),
                               name="hidden"),
            keras.layers.Dense(items, kernel_regularizer=keras.regularizers.L2(args.l2), name="logits"),
        ], name=name)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=MultinomialLikelihood())
    callbacks = []
    if validation is not None:  # (train bags, validation movies): the epoch with the best validation NDCG@10
        callbacks = [TopKValidation(bags, validation, bags > 0),
                     keras.callbacks.EarlyStopping("val_ndcg", mode="max", patience=args.patience,
                                                   restore_best_weights=True)]
    first_epoch = runtime.first_epoch(name)
    dataset = array_batches([bags, bags], batch_size=args.batch_size, shuffle_seed=args.seed, first_epoch=first_epoch)
    model.fit(dataset, epochs=epochs, initial_epoch=first_epoch,
              steps_per_epoch=batches_per_epoch(bags.shape[0], args.batch_size),
              shuffle=False, verbose=runtime.verbose, callbacks=[*callbacks, *runtime.backups(name, callbacks)])
    return model, callbacks


def validation_ndcg(scores, split):
    return topk_metrics(scores, split.valid, split.train)["ndcg"]


train_bags = first.train.toarray().astype(np.float32)
denoising_validation, (watch, _) = train_denoising(train_bags, args.max_epochs, "denoising_validation", first.valid)
denoising_epochs = watch.best_epoch + 1
print(f"denoising recommender: best validation NDCG@10 {watch.best:.4f} after {denoising_epochs} epochs")

"""
## EASE as one Dense layer, dropout on it, and the baselines

EASE's item-item matrix is the kernel of a `Dense(1664, use_bias=False)` with a zero
diagonal, solved in closed form: the least-squares Dense layer that predicts each movie from
the others; λ is chosen on validation. `Dropout(p)` on that layer's input is, in expectation,
an L2 penalty in proportion to each movie's popularity: EDLAE, also in closed form, p and λ
on validation (`recipes/dropout_as_l2.py` shows the equivalence, and `fit` landing on it).
"""

ease_validation = {l2: validation_ndcg(ease_scores(first.train, l2), first) for l2 in args.ease_l2}
best_l2 = max(ease_validation, key=ease_validation.get)
edlae_validation = {(rate, l2): validation_ndcg(first.train @ edlae_weights(first.train, rate, l2), first)
                    for rate in args.edlae_rates for l2 in [0.0, *args.ease_l2] if rate > 0 or l2 > 0}
best_edlae = max(edlae_validation, key=edlae_validation.get)  # the grid's order: smallest p, then λ, on a tie
print(f"EASE λ on validation: {ease_validation} -> {best_l2}; EDLAE: p = {best_edlae[0]}, λ = {best_edlae[1]} "
      f"(NDCG@10 {edlae_validation[best_edlae]:.4f})")

"""
## A blend of the two: standardised scores, weighted

Each model's row of scores brought to mean 0 and spread 1 over the movies (`ScoreBlend`),
then EDLAE's plus a weight times the denoising recommender's: one Keras model reading one
bag. The weight is chosen on validation, and so is the model the export serves: EASE, EDLAE,
the denoising recommender or the blend, whichever ranks validation best.
"""

BLEND_WEIGHTS = [round(0.1 * step, 1) for step in range(11)]  # the denoising recommender's weights tried
validation_scores = {"EASE": ease_scores(first.train, best_l2),
                     "EDLAE": np.asarray(first.train @ edlae_weights(first.train, *best_edlae)),
                     "denoising": denoising_validation.predict(train_bags, verbose=0)}
blend_validation = {weight: validation_ndcg(ScoreBlend([1.0, weight])(
    [validation_scores["EDLAE"].astype(np.float32), validation_scores["denoising"]]), first) for weight in BLEND_WEIGHTS}
blend_weight = max(blend_validation, key=blend_validation.get)
candidates = {name: validation_ndcg(values, first) for name, values in validation_scores.items()} | {
    "blend": blend_validation[blend_weight]}
served_name = max(candidates, key=candidates.get)
print(f"blend weight of the denoising recommender on validation: {blend_weight}; validation NDCG@10 "
      + ", ".join(f"{name} {value:.4f}" for name, value in candidates.items()) + f" -> served: {served_name}")


def bag_models(seen, name):
    """The bag models fit to `seen` with the settings chosen on validation: name -> (Keras model, seconds to fit)."""
    bags = seen.toarray().astype(np.float32)
    fitted, seconds = {}, {}
    for key, fit in (("EASE", lambda: ease_model(seen, best_l2, name=f"ease_{name}")),
                     ("EDLAE", lambda: item_item_model(edlae_weights(seen, *best_edlae), name=f"edlae_{name}")),
                     ("denoising", lambda: train_denoising(bags, denoising_epochs, f"denoising_{name}")[0])):
        start = time.perf_counter()
        with runtime.strategy.scope():
            fitted[key] = fit()
        seconds[key] = time.perf_counter() - start
    with runtime.strategy.scope():
        fitted["blend"] = score_blend_model([fitted["EDLAE"], fitted["denoising"]], [1.0, blend_weight],
                                            name=f"blend_{name}")
    seconds["blend"] = seconds["EDLAE"] + seconds["denoising"]
    return fitted, seconds


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

BAG_ROWS = {"EASE": "EASE as a Dense layer", "EDLAE": "EDLAE (closed form)",
            "denoising": "denoising recommender (Mult-DAE)", "blend": "blend: EDLAE + denoising"}
report, timings = {}, {}
for seed, split in splits.items():
    seen = split.seen_before_test
    bags = seen.toarray().astype(np.float32)
    scores = {"most popular": most_popular_scores(seen), "item-kNN": item_knn_scores(seen),
              "EASE (NumPy)": ease_scores(seen, best_l2)}
    fitted, seconds = bag_models(seen, str(seed))
    for key, model in fitted.items():
        scores[BAG_ROWS[key]] = model.predict(bags, verbose=0)
        timings.setdefault(BAG_ROWS[key], []).append(seconds[key])
    if args.rating_epochs:
        scores["rating model, by stars"] = rating_model_scores(seen, f"rating_model_{seed}")
    start = time.perf_counter()
    model = train_two_tower(seen, f"two_tower_{seed}")
    scores["two towers"] = model.predict(user_fields, verbose=0)
    timings.setdefault("two towers", []).append(time.perf_counter() - start)
    for name, values in scores.items():
        report.setdefault(name, {})[seed] = topk_metrics(values, split.test, seen)
    print(f"split {seed}: " + "; ".join(f"{name} {r[seed]['ndcg']:.4f}" for name, r in report.items()), flush=True)

"""
Each model against EASE on the same splits: the mean paired difference of NDCG@10 and its
standard error (the split's own luck cancels in a difference), and on how many splits it is ahead.
"""

ease_ndcg = {seed: report["EASE (NumPy)"][seed]["ndcg"] for seed in splits}
paired = {name: paired_difference({seed: per_seed[seed]["ndcg"] for seed in splits}, ease_ndcg)
          for name, per_seed in report.items()}
print("\nNDCG@10 per split seed, the mean of every metric, and NDCG@10 against EASE on the same splits")
header = "".join(f"{seed:>8}" for seed in splits) + "".join(f"{metric + '@10':>13}" for metric in TOPK_METRICS)
print(f"{'':<34}{header}{'- EASE (SE)':>20}{'ahead':>7}")
for name, per_seed in report.items():
    means = [np.mean([per_seed[seed][metric] for seed in splits]) for metric in TOPK_METRICS]
    difference = paired[name]
    print(f"{name:<34}" + "".join(f"{per_seed[seed]['ndcg']:>8.4f}" for seed in splits)
          + "".join(f"{mean:>13.4f}" for mean in means)
          + f"{difference['mean']:>+12.4f} ({difference['standard_error']:.4f}){difference['ahead']:>5}/{len(splits)}")
CLOSE = 0.05  # the figure draws the models within this of EASE, so that differences of 0.003 show
written = plot_paired_differences(
    {name: difference for name, difference in paired.items() if not name.startswith("EASE") and difference["mean"] > -CLOSE},
    f"Top-k: NDCG@10 minus EASE's on the same {len(splits)} split(s), the models within {CLOSE} of it"
    + (f"\nshort run: {short}" if short else ""),
    os.path.join(runtime.out, "against_ease"),
)

"""
## Cold start: users the model has never seen

`--cold-users` of the users are held out entirely; two towers are trained on the others and
answer each held-out user from gender, age band and occupation alone (`user:[new]` in the id
field), ranking every movie. Descriptors say less than ids, so these towers are smaller and
more regularised (`--profile-dim 16`, dropout 0.5, the id dropped in half the steps); they
also serve `recommend_for_profile`. Next to them: "most popular" of the other users and "most
popular" among the other users of the same gender and age band. Then each held-out user tells
three movies they chose (`recommend_for_profile`'s liked titles): the bag model the export serves
(chosen on validation) and EASE over those three, against "most popular", the rest of the user's
movies to find.
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
served_for_new_users = bag_models(trained_on, "cold_start")[0][served_name]
cold |= {f"{name}, 3 liked titles": topk_metrics(values, relevant & ~liked, liked) for name, values in (
    (f"the served bag model ({served_name})", np.asarray(served_for_new_users(liked.astype(np.float32), training=False))),
    ("EASE", liked @ ease_weights(trained_on, best_l2)),  # the liked titles' bags through EASE's Dense kernel
    ("most popular", cold_scores["most popular"]),
)}
for name, metrics in cold.items():
    print(f"cold start, {len(held_out)} new users: {name:<52} NDCG@10 {metrics['ndcg']:.4f} "
          f"Recall@10 {metrics['recall']:.4f}")

"""
## Export: recommendations for a known user and for a new profile

Trained on every interaction: the bag model chosen on validation ranks a known user's unseen
movies, and a new user's by the titles they like; the two towers answer a profile with no titles.
"""

served_bags = bag_models(everything, "all")[0][served_name]
served_towers = train_two_tower(everything, "two_tower_all", for_new_users=True)
tables = RecommendTables(data, everything, vocabulary)
most_chosen = data.titles[np.argsort(-np.asarray(everything.sum(axis=0)).ravel(), kind="stable")[:2]].tolist()
sample_profile = {"gender": data.genders[:2].tolist(), "age": [30, 19], "occupation": data.occupations[:2].tolist(),
                  "liked_titles": [["", ""], most_chosen]}
signatures = recommend_signatures(served_bags, served_towers, tables, data.user_ids[:2].tolist() + ["no such user"],
                                sample_profile)
path = export_for_serving(served_bags, "movie_recommendations", base_dir=runtime.saved_models,
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
    "test": report, "cold start": cold, "served": served_name, "against EASE": {  # null: no standard error of one split
        name: {key: None if value != value else value for key, value in difference.items()}
        for name, difference in paired.items()},
    "validation": {"EASE": {str(k): v for k, v in ease_validation.items()},
                   "EDLAE": {f"{rate} {l2}": v for (rate, l2), v in edlae_validation.items()},
                   "blend": {str(k): v for k, v in blend_validation.items()}, "models": candidates},
    "chosen": {"EASE l2": best_l2, "EDLAE rate": best_edlae[0], "EDLAE l2": best_edlae[1],
               "denoising epochs": denoising_epochs, "blend weight": blend_weight},
    "seconds": {name: float(np.mean(values)) for name, values in timings.items()}, "settings": vars(args),
}
with open(os.path.join(runtime.out, "summary.json"), "w") as file:
    json.dump(summary, file, indent=2)
with open(os.path.join(runtime.out, "topk.json"), "w") as file:
    json.dump(report, file, indent=2)
print("Wrote", *written, path, os.path.join(runtime.out, "summary.json"), sep="\n  ")
