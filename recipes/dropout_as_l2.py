"""
Title: Dropout is an L2 penalty: the slides' two regularisers as one, on EASE's Dense layer
Description: The slides list "L2 penalty on weights" and "Dropout" side by side. On a linear
layer they are one: `Dropout(p)` on the input of a `Dense` layer trained with squared error
is, in expectation, an L2 penalty on each input's weights in proportion to how often that
input is on. Shown on MovieLens-100k top-k recommendation, in closed form (DLAE, EDLAE) and
as the slides' `Dropout -> Dense` trained by `model.fit`, which lands on the closed form.

With G = XᵀX (movies by movies, X the users' bags of movies) and Keras' inverted dropout of
rate p: Λ = p / (1 - p) · diag(G) + λI. DLAE: B = (G + Λ)⁻¹ G. EDLAE (no movie predicts
itself: a zero diagonal, as EASE's): P = (G + Λ)⁻¹, B = -P / diag(P) column by column, then
diag(B) = 0; EASE is EDLAE at p = 0 (Steck 2019, 2020; Wager et al. 2013).

Protocol (RecBole's default): each user's interactions split at random 8:1:1 into train,
validation and test (`--split-seeds`); every movie ranked, those seen in training left out;
NDCG@10. p and λ are chosen on the first split's validation (models fit on train); the test
figures come from models fit on train and validation.

Outputs in `--out`: `dropout_sweep.{png,svg}` (validation NDCG@10 against p: each closed form
and the layer trained by `fit`, with EASE's line), `topk.json` (each model, each split seed),
`summary.json` (the choices, and `fit` against the closed form per split seed).

Run: python recipes/dropout_as_l2.py [--data DIR] [--split-seeds 0 1 2] [--sweep 0,0.25,0.5,0.75,0.9]
     [--fit-epochs 6] [--seed 42] [--out runs/dropout_as_l2] [--resume]
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

from keras_workshop.movielens import load_movielens  # noqa: E402
from keras_workshop.plots import plot_sweep  # noqa: E402
from keras_workshop.recommenders import (  # noqa: E402
    ZeroDiagonal,
    dlae_weights,
    ease_scores,
    edlae_weights,
    topk_metrics,
    topk_split,
)
from keras_workshop.runtime import (  # noqa: E402
    Sequential,
    fractions,
    non_negative_int,
    positive_float,
    positive_int,
    recipe_settings,
    shortened,
    start_runtime,
)


"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

DATA: str = None  # a GroupLens ml-100k folder; None: the copy inside the recbole wheel
SPLIT_SEEDS: list[non_negative_int] = [0, 1, 2]  # seeds of the 8:1:1 splits reported, each once
EASE_L2: list[positive_float] = [200.0, 400.0, 800.0]  # λ values tried on validation, each once
SWEEP: fractions = [0.0, 0.25, 0.5, 0.75, 0.9]  # dropout rates p on the bag of movies
FIT_EPOCHS: positive_int = 6  # epochs of 100 full-batch steps of the Dropout -> Dense trained by fit
FIT_LEARNING_RATE: positive_float = 0.03  # its Adam rate, decayed to 0 (cosine) over the steps

args, parser = recipe_settings(globals(), "Dropout on EASE's Dense layer: in closed form and trained by fit.",
                               out="runs/dropout_as_l2", saved_models=False)
if len(set(args.split_seeds)) != len(args.split_seeds):
    parser.error(f"--split-seeds {' '.join(map(str, args.split_seeds))}: each seed once (a repeat measures nothing new)")
if len(set(args.ease_l2)) != len(args.ease_l2):
    parser.error(f"--ease-l2 {' '.join(map(str, args.ease_l2))}: each value once (a repeat measures nothing new)")
args.ease_l2 = sorted(args.ease_l2)  # a tie on validation picks the smallest λ, however the values were written
short = shortened(args, parser, "split_seeds", "sweep", "fit_epochs")
if short:  # said on screen and on the figure: a short run's picks are not the recipe's findings
    print(f"Short run ({short}): its figures and picks show this run, not the README's results.")
runtime = start_runtime(args, parser)

"""
## Who chose what

Every rating is an interaction: a user chose to watch that movie. Each user is a bag of
movies, a row of 1664 zeros and ones.
"""

try:
    data = load_movielens(args.data)
except (FileNotFoundError, ValueError) as error:  # no data, or a malformed file (named, with its line)
    sys.exit(str(error))
items = len(data.item_ids)
splits = {seed: topk_split(data, seed=seed) for seed in args.split_seeds}
first = splits[args.split_seeds[0]]
train_bags = first.train.toarray().astype(np.float32)
print(f"{len(data.ratings)} interactions, {len(data.user_ids)} users, {items} movies")


def validation_ndcg(scores):
    return topk_metrics(scores, first.valid, first.train)["ndcg"]


"""
## EASE: the Dense layer with an L2 penalty alone

EASE's item-item matrix is the kernel of a `Dense(1664, use_bias=False)` with a zero
diagonal, solved in closed form; λ is chosen on validation.
"""

ease_validation = {l2: validation_ndcg(ease_scores(first.train, l2)) for l2 in args.ease_l2}
best_l2 = max(ease_validation, key=ease_validation.get)
print(f"EASE λ on validation: {ease_validation} -> {best_l2}")

"""
## Dropout on the Dense layer's input, in closed form

For each p, the best λ on validation (λ = 0 included once p > 0: dropout alone is a
penalty), for DLAE and for EDLAE (EASE's zero diagonal).
"""

grid = [(rate, l2) for rate in args.sweep for l2 in [0.0, *args.ease_l2] if rate > 0 or l2 > 0]
closed_forms = {"EDLAE": edlae_weights, "DLAE": dlae_weights}
best, validation = {}, {}
for family, weights in closed_forms.items():
    validation[family] = {(rate, l2): validation_ndcg(first.train @ weights(first.train, rate, l2)) for rate, l2 in grid}
    best[family] = max(validation[family], key=validation[family].get)  # the grid's order: smallest p, then λ, on a tie
    print(f"{family} on validation: best p = {best[family][0]}, λ = {best[family][1]}: "
          f"NDCG@10 {validation[family][best[family]]:.4f} (EASE {ease_validation[best_l2]:.4f})")
lines = {f"{family} in closed form (best λ at each p)": [
    max((score for (rate, _), score in validation[family].items() if rate == p), default=np.nan) for p in args.sweep]
    for family in closed_forms}

"""
## The same layer trained by `fit`

The slides' parts: `Dropout(p)` -> `Dense(1664, use_bias=False)` with EASE's zero diagonal
(`ZeroDiagonal`), the squared error of giving back the whole bag, and an L2 penalty λ
(divided by the users x movies entries the mean squared error averages over), full-batch
Adam. In expectation that is EDLAE's objective: `fit` should land on the closed form, with
the same NDCG@10 and weights that correlate with the closed form's.
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


best_l2_at = {p: max((l2 for rate, l2 in grid if rate == p), key=lambda l2: validation["EDLAE"][(p, l2)])
              for p in args.sweep}
lines["EDLAE's objective trained by fit"] = [
    validation_ndcg(train_bags @ train_dropout_dense(train_bags, p, best_l2_at[p], f"dropout_dense_sweep_{p}"))
    for p in args.sweep]
for p, trained in zip(args.sweep, lines["EDLAE's objective trained by fit"]):
    print(f"p = {p}, λ = {best_l2_at[p]}: validation NDCG@10 by fit {trained:.4f}, closed form "
          f"{validation['EDLAE'][(p, best_l2_at[p])]:.4f}", flush=True)
written = plot_sweep(
    args.sweep, lines, {"EASE (p = 0, its best λ)": ease_validation[best_l2]},
    "Dropout on EASE's Dense layer: validation NDCG@10 against p" + (f"\nshort run: {short}" if short else ""),
    os.path.join(runtime.out, "dropout_sweep"), xlabel="dropout rate p on the bag of movies",
    ylabel="NDCG@10 (validation)",
)

"""
## Every split: closed form and `fit`, side by side

Fit on train and validation with the p and λ chosen above, measured on each split's test.
"""

report, timings, fit_against_closed = {}, {}, {}
for seed, split in splits.items():
    seen = split.seen_before_test
    bags = seen.toarray().astype(np.float32)
    scores = {"EASE": ease_scores(seen, best_l2)}
    kernels = {family: weights(seen, *best[family]) for family, weights in closed_forms.items()}
    for family, kernel in kernels.items():
        scores[f"{family} (closed form)"] = np.asarray(seen @ kernel)
    start = time.perf_counter()
    trained = train_dropout_dense(bags, *best["EDLAE"], f"dropout_dense_{seed}")
    timings.setdefault("Dropout -> Dense by fit", []).append(time.perf_counter() - start)
    scores["Dropout -> Dense by fit"] = bags @ trained
    for name, values in scores.items():
        report.setdefault(name, {})[seed] = topk_metrics(values, split.test, seen)
    fit_against_closed[seed] = {
        "ndcg gap": report["Dropout -> Dense by fit"][seed]["ndcg"] - report["EDLAE (closed form)"][seed]["ndcg"],
        "correlation": float(np.corrcoef(trained.ravel(), kernels["EDLAE"].ravel())[0, 1]),
    }
    print(f"split {seed}: " + "; ".join(f"{name} {r[seed]['ndcg']:.4f}" for name, r in report.items()))
    print(f"split {seed}: Dropout -> Dense by fit against EDLAE's closed form: NDCG@10 "
          f"{fit_against_closed[seed]['ndcg gap']:+.4f}, weights' correlation "
          f"{fit_against_closed[seed]['correlation']:.4f}", flush=True)

summary = {
    "test": report, "chosen": {"EASE": {"l2": best_l2}} | {f: {"rate": r, "l2": l} for f, (r, l) in best.items()},
    "fit against the closed form": fit_against_closed, "sweep": {name: dict(zip(map(str, args.sweep), values)) for name, values in lines.items()},
    "seconds": {name: float(np.mean(values)) for name, values in timings.items()}, "settings": vars(args),
}
with open(os.path.join(runtime.out, "summary.json"), "w") as file:
    json.dump(summary, file, indent=2)
with open(os.path.join(runtime.out, "topk.json"), "w") as file:
    json.dump(report, file, indent=2)
print("Wrote", *written, os.path.join(runtime.out, "summary.json"), sep="\n  ")
