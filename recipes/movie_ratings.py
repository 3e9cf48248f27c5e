"""
Title: Movie ratings: both halves of the slides in one model
Description: MovieLens-100k ratings predicted from a row of symbols (user id, item id,
gender, age band, occupation, genres) by the slides' Sequential (Embedding -> Flatten ->
Dropout -> Dense -> Dropout -> Dense) and a stronger model of the same parts,
cross-validated, and an export for TF Serving that takes user and item ids and recommends
titles. The dropout sweep on the same data is `recipes/rating_dropout_sweep.py`.

The Embeddings slides name item ids, user ids and categorical descriptors as symbols; the
Dropout slides regularise the Dense layers after them. Here one slide
`Embedding(output_dim=d, input_dim=n, input_length=fields)` embeds every field of a rating
row from one shared vocabulary (`user:196`, `item:242`, `genre:Comedy`,
`occupation:technician`, ...), and the slide block predicts the rating.

Protocol (Surprise's): k-fold cross-validation over a random permutation of all ratings,
predictions clipped to [1, 5]; early stopping on 5% of each training fold, never the test
fold. After cross-validation the best model is trained on every rating and exported to
`saved_models/movie_ratings/<version>/`: `serving_default` takes `user_id` and `item_id`
(strings, as in u.data) and returns `rating`; `recommend` takes `user_id` and `k`.

Outputs in `--out`: `cross_validation.json` (every fold), `descriptors.json` (genre and
occupation neighbours), `summary.json`.

Run: python recipes/movie_ratings.py [--data DIR] [--folds 5] [--epochs 60] [--seed 42]
     [--out runs/movie_ratings] [--saved-models saved_models] [--resume]
"""

import json
import os
import sys
import time

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_workshop.embeddings import nearest_neighbours  # noqa: E402
from keras_workshop.movielens import field_vocabulary, load_movielens, rating_rows  # noqa: E402
from keras_workshop.recommenders import (  # noqa: E402
    RatingTables,
    average_models,
    hybrid_rating_model,
    kfold_splits,
    predict_ratings,
    rating_signatures,
    ratings_dataset,
    rmse_mae,
)
from keras_workshop.runtime import (  # noqa: E402
    batches_per_epoch,
    fraction,
    non_negative_int,
    one_of,
    positive_int,
    recipe_settings,
    start_runtime,
)
from keras_workshop.serving import export_for_serving  # noqa: E402
from keras_workshop.slides import Dense, Dropout, Embedding, Flatten, Sequential  # noqa: E402


"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

DATA: str = None  # a GroupLens ml-100k folder; None: the copy inside the recbole wheel
FOLDS: non_negative_int = 5  # cross-validation folds to report (0: none)
EPOCHS: positive_int = 60  # most epochs per model (early stopping)
PATIENCE: positive_int = 5  # epochs without a better validation RMSE
BATCH_SIZE: positive_int = 256  # ratings per update
DIM: positive_int = 24  # embedding size d of the slide model
HIDDEN: positive_int = 384  # units of the slide model's Dense layer
DROPOUT_RATE: fraction = 0.5  # the slides' p, for the slide model
ENSEMBLE: positive_int = 4  # hybrid models averaged in the best model
BEST_DIM: positive_int = 16  # d of the slide part of the best model's members
BEST_HIDDEN: positive_int = 256  # units of that slide part
BEST_DROPOUT_RATE: fraction = 0.3  # p in the best model's members
BEST_BATCH_SIZE: positive_int = 512  # ratings per update of the best model's members
BEST_PATIENCE: positive_int = 3  # their early stopping's patience
# What the best model's members learn from the training ratings themselves: the (item, stars) pairs of
# each user and (user, stars) pairs of each item ("stars"), SVD++'s implicit term, or nothing.
RATED: one_of("stars", "implicit", "none") = "stars"  # stars, implicit or none

args, parser = recipe_settings(globals(), "Ratings from rows of symbols: the slides' Sequential and more.",
                               out="runs/movie_ratings")
if args.folds == 1:
    parser.error("--folds must be 0 (no cross-validation) or at least 2")

runtime = start_runtime(args, parser, global_batch=args.batch_size)

"""
## Ids and descriptors as symbols

A rating row is 11 symbols from one vocabulary: the user, the item, the user's gender, age
band and occupation, and the item's genres (up to 6, `genre:[none]` for empty slots).
"""

try:
    data = load_movielens(args.data)
except (FileNotFoundError, ValueError) as error:  # no data, or a malformed file (named, with its line)
    sys.exit(str(error))
vocabulary = field_vocabulary(data)
rows = rating_rows(data, vocabulary, data.rating_users, data.rating_items)
ratings = data.ratings
print(f"{len(ratings)} ratings; {len(vocabulary)} symbols; a row: {vocabulary.to_symbols(rows[0]).tolist()}")


"""
## Training: Adam on the squared error, early stopping on the validation RMSE

Every model here trains the same way: batches reshuffled every epoch (`ratings_dataset`),
`compile` with Adam and the mean squared error, and `fit` until the validation RMSE has
not improved for `patience` epochs, keeping the best epoch's weights.
"""


def train_model(model, fit_rows, fit_ratings_, validation, batch_size, patience, seed, training):
    """Compiles and fits `model` on the rows and ratings of `fit_*`; `validation` (rows, ratings) stops it."""
    with runtime.strategy.scope():
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=1e-3),
            loss="mse",
            metrics=[keras.metrics.RootMeanSquaredError(name="rmse"), keras.metrics.MeanAbsoluteError(name="mae")],
        )
    first_epoch = runtime.first_epoch(training)
    batches = ratings_dataset(fit_rows, fit_ratings_, batch_size=batch_size, shuffle_seed=seed, first_epoch=first_epoch)
    stopping = keras.callbacks.EarlyStopping("val_rmse", patience=patience, restore_best_weights=True)
    model.fit(
        batches,
        validation_data=ratings_dataset(*validation, batch_size=4096),
        epochs=args.epochs,
        initial_epoch=first_epoch,
        steps_per_epoch=batches_per_epoch(len(fit_ratings_), batch_size),  # the dataset streams epoch after epoch
        shuffle=False,  # the dataset reshuffles itself every epoch
        verbose=runtime.verbose,
        callbacks=[stopping, *runtime.backups(training, [stopping])],  # --resume: backed up by name
    )
    return model


"""
## The slides' model, in the slides' spelling

`Embedding` -> `Flatten` -> `Dropout` -> `Dense(relu)` -> `Dropout` -> `Dense(1)`, written as the
slides write it (`keras_workshop.slides`: the Keras 1 names and arguments, building Keras 3
layers). One table embeds the 11 symbols of a row, with a small L2 penalty, and checks every id;
the last bias starts at the mean rating, so the model learns the deviation from it.
"""


def slide_model(training_ratings, rate=args.dropout_rate, name="slide_ratings", dim=args.dim, hidden=args.hidden):
    model = Sequential(name=name)
    model.add(Embedding(output_dim=dim, input_dim=len(vocabulary), input_length=rows.shape[1],
                        W_regularizer=keras.regularizers.L2(1e-4), name="fields_embedding"))
    model.add(Flatten())
    model.add(Dropout(p=rate))
    model.add(Dense(hidden, activation="relu"))
    model.add(Dropout(p=rate))
    model.add(Dense(1, bias_initializer=keras.initializers.Constant(float(np.mean(training_ratings))),
                    dtype="float32"))  # float32 under mixed precision
    return model


def best_model(fit_rows, fit_ratings_, validation, training):
    """The ensemble: `--ensemble` hybrids (a slide model + biases + dot product + what was rated), averaged.

    The rated terms read only `fit_rows` and `fit_ratings_`, never the test fold. `training`
    names the backups (`--resume`) of its members.
    """
    rated = {"stars": (fit_rows[:, 0], fit_rows[:, 1], fit_ratings_),
             "implicit": (fit_rows[:, 0], fit_rows[:, 1]), "none": None}[args.rated]
    members = []
    for member in range(args.ensemble):
        with runtime.strategy.scope():
            slide = slide_model(fit_ratings_, rate=args.best_dropout_rate, name=f"slide_{member}",
                                dim=args.best_dim, hidden=args.best_hidden)
            model = hybrid_rating_model(slide, rated, rate=args.best_dropout_rate, name=f"hybrid_{member}")
        members.append(train_model(model, fit_rows, fit_ratings_, validation, args.best_batch_size, args.best_patience,
                             args.seed + member, f"{training}_member{member}"))
    return average_models(members)


def train_slide(fit_rows, fit_ratings_, validation, training):
    with runtime.strategy.scope():
        model = slide_model(fit_ratings_)
    return train_model(model, fit_rows, fit_ratings_, validation, args.batch_size, args.patience, args.seed, training)


"""
## Cross-validation: the slides' Sequential, the best model, the global mean

Each fold's test part is scored once; early stopping reads 5% of the training part.
"""

folds = kfold_splits(len(ratings), args.folds, args.seed) if args.folds else []
report = {"slide Sequential": [], "best model": [], "global mean": []}
for number, (fit, validation, test) in enumerate(folds, 1):
    held = (rows[validation], ratings[validation])
    report["global mean"].append(rmse_mae(np.full(len(test), ratings[fit].mean()), ratings[test]) + (0.0,))
    for name, train, training in (("slide Sequential", train_slide, "slide"), ("best model", best_model, "best")):
        start = time.perf_counter()
        model = train(rows[fit], ratings[fit], held, f"fold{number}_{training}")
        seconds = time.perf_counter() - start
        report[name].append(rmse_mae(predict_ratings(model, rows[test]), ratings[test]) + (seconds,))
    print(f"fold {number}: " + "; ".join(
        f"{name} RMSE {values[-1][0]:.4f} MAE {values[-1][1]:.4f}" for name, values in report.items()
    ), flush=True)
if folds:
    print(f"\n{'':>18} {'RMSE':>7} {'MAE':>7} {'s/fold':>7}   folds (RMSE)")
    for name, values in report.items():
        mean = np.mean(values, axis=0)
        print(f"{name:>18} {mean[0]:7.4f} {mean[1]:7.4f} {mean[2]:7.1f}   " + " ".join(f"{v[0]:.4f}" for v in values))
    with open(os.path.join(runtime.out, "cross_validation.json"), "w") as file:
        json.dump({name: [dict(zip(("rmse", "mae", "seconds"), v)) for v in values] for name, values in report.items()},
                  file, indent=2)

"""
## The best model on every rating, and what it learned about descriptors

Trained on all ratings (5% held out for early stopping); its shared table embeds genres and
occupations like ids: their cosine neighbours among their own kind.
"""

shuffled = np.random.default_rng(args.seed).permutation(len(ratings))
fit, validation = np.sort(shuffled[len(ratings) // 20 :]), np.sort(shuffled[: len(ratings) // 20])
final_model = best_model(rows[fit], ratings[fit], (rows[validation], ratings[validation]), "final")
embeddings = final_model.get_layer("hybrid_0").get_layer("slide_0").get_layer("fields_embedding").embeddings.numpy()
descriptors = {}
for kind in ("genre", "occupation"):
    symbols = [s for s in vocabulary.symbols if s.startswith(f"{kind}:") and s != "genre:[none]"]
    ids = vocabulary.ids(symbols)
    neighbour_ids, scores = nearest_neighbours(embeddings[ids], np.arange(len(ids)), k=3)
    for symbol, found, score in zip(symbols, neighbour_ids, scores):
        descriptors[symbol] = [[symbols[i], round(float(s), 3)] for i, s in zip(found, score)]
        print(f"  {symbol:>24}: " + ", ".join(f"{symbols[i]} {s:.2f}" for i, s in zip(found, score)))
with open(os.path.join(runtime.out, "descriptors.json"), "w") as file:
    json.dump(descriptors, file, indent=2)

"""
## Export: ids in, ratings and titles out

`serving_default`: `user_id`, `item_id` (strings, as in u.data) -> `rating` in [1, 5] and
`found`; an unknown user or item gets a fallback rating with `found = false`. `recommend`:
`user_id`, `k` -> the `k` titles the user has not rated with the highest predicted ratings.
"""

tables = RatingTables(data, vocabulary, data.rating_users, data.rating_items, ratings)
signatures = rating_signatures(final_model, tables, ["196", "1", "no_such_user"], ["242", "no_such_item", "50"])
path = export_for_serving(final_model, "movie_ratings", base_dir=runtime.saved_models, vocabulary=vocabulary,
                          signatures=signatures, resources=[tables])
summary = {
    "cross-validation means": {name: dict(zip(("rmse", "mae", "seconds"), np.mean(v, axis=0).tolist()))
                               for name, v in report.items() if v},
    "export": path,
    "settings": vars(args),
}
with open(os.path.join(runtime.out, "summary.json"), "w") as file:
    json.dump(summary, file, indent=2)
print(f"Exported {path}\nWrote {runtime.out}/summary.json")
