"""
Title: Dropout on real data: the lecture's three regimes on MovieLens ratings
Description: The slides' rating Sequential (Embedding -> Flatten -> Dropout -> Dense ->
Dropout -> Dense) trained without early stopping at several dropout rates, its learning
curves drawn as the lecture drew them.

The Dropout slides show three regimes on noisy digits: no dropout overfits, a bit of
dropout generalises, too much underfits. The same on real data: MovieLens-100k rating rows
as 11 symbols of one vocabulary (`user:196`, `item:242`, `gender:M`, `age:45-49`,
`occupation:writer`, the genres), the slide model trained for `--epochs` epochs at each rate
of `--sweep` on the first of five folds (80% to train, 20% to validate).

Outputs in `--out`: `dropout_sweep.{png,svg}` (training loss solid, validation loss dashed),
`dropout_sweep_rmse.{png,svg}` (final RMSE against the rate), `sweep.json`.

Run: python recipes/rating_dropout_sweep.py [--data DIR] [--sweep 0,0.2,0.5,0.8] [--epochs 40]
     [--seed 42] [--out runs/rating_dropout_sweep] [--resume]
"""

import json
import os
import sys

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_workshop.movielens import field_vocabulary, load_movielens, rating_rows  # noqa: E402
from keras_workshop.recommenders import kfold_splits, predict_ratings, ratings_dataset, rmse_mae  # noqa: E402
from keras_workshop.plots import plot_loss_bars, plot_loss_curves  # noqa: E402
from keras_workshop.runtime import (  # noqa: E402
    batches_per_epoch,
    fractions,
    positive_int,
    recipe_settings,
    shortened,
    start_runtime,
)
from keras_workshop.slides import Dense, Dropout, Embedding, Flatten, Sequential  # noqa: E402


"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

DATA: str = None  # a GroupLens ml-100k folder; None: the copy inside the recbole wheel
SWEEP: fractions = [0.0, 0.2, 0.5, 0.8]  # the dropout rates p
EPOCHS: positive_int = 40  # epochs of each run (no early stopping)
BATCH_SIZE: positive_int = 256  # ratings per update
DIM: positive_int = 24  # embedding size d
HIDDEN: positive_int = 384  # units of the Dense layer

args, parser = recipe_settings(globals(), "The slides' rating Sequential at several dropout rates.",
                               out="runs/rating_dropout_sweep", saved_models=False)
short = shortened(args, parser, "sweep", "epochs")
if short:  # said on screen and on the figures: a short run's curves are not the recipe's findings
    print(f"Short run ({short}): its figures show this run, not the README's results.")

runtime = start_runtime(args, parser, global_batch=args.batch_size)

"""
## Ids and descriptors as symbols
"""

try:
    data = load_movielens(args.data)
except (FileNotFoundError, ValueError) as error:  # no data, or a malformed file (named, with its line)
    sys.exit(str(error))
vocabulary = field_vocabulary(data)
rows = rating_rows(data, vocabulary, data.rating_users, data.rating_items)
ratings = data.ratings
fit, validation, _ = kfold_splits(len(ratings), 5, args.seed)[0]
print(f"{len(ratings)} ratings, {len(vocabulary)} symbols; {len(fit)} to train, {len(validation)} to validate")

"""
## The slides' Sequential at each dropout rate

`Embedding(output_dim=d, input_dim=n, input_length=11)` -> `Flatten` -> `Dropout(p)` ->
`Dense(hidden, relu)` -> `Dropout(p)` -> `Dense(1)` in the slides' spelling, as in
`recipes/movie_ratings.py`, with the last bias starting at the mean rating; Adam, mean squared
error; every epoch is trained (no early stopping), so the curves show what happens after the
best epoch.
"""

validation_data = ratings_dataset(rows[validation], ratings[validation], batch_size=4096)
curves, final, sweep = {}, {}, {}
for rate in args.sweep:
    with runtime.strategy.scope():
        model = Sequential(name=f"slide_p{rate}")
        model.add(Embedding(output_dim=args.dim, input_dim=len(vocabulary), input_length=rows.shape[1],
                            W_regularizer=keras.regularizers.L2(1e-4), name="fields_embedding"))
        model.add(Flatten())
        model.add(Dropout(p=rate))
        model.add(Dense(args.hidden, activation="relu"))
        model.add(Dropout(p=rate))
        model.add(Dense(1, bias_initializer=keras.initializers.Constant(float(np.mean(ratings[fit]))), dtype="float32"))
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=1e-3),
            loss="mse",
            metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
        )
    training = f"p{rate}"  # the training's name, and its backup folder's with --resume
    first_epoch = runtime.first_epoch(training)
    train = ratings_dataset(rows[fit], ratings[fit], batch_size=args.batch_size, shuffle_seed=args.seed,
                            first_epoch=first_epoch)
    history = model.fit(
        train,
        validation_data=validation_data,
        epochs=args.epochs,
        initial_epoch=first_epoch,
        steps_per_epoch=batches_per_epoch(len(fit), args.batch_size),  # the dataset streams epoch after epoch
        shuffle=False,  # the dataset reshuffles itself every epoch
        verbose=runtime.verbose,
        callbacks=runtime.backups(training),  # with --resume: every epoch backed up
    )
    label = f"p={rate}"
    curves[label] = {"loss": history.history["loss"], "val_loss": history.history["val_loss"]}
    train_rmse = rmse_mae(predict_ratings(model, rows[fit]), ratings[fit])[0]
    final[label] = {"train": train_rmse, "validation": history.history["val_rmse"][-1]}
    best_epoch = int(np.argmin(history.history["val_loss"]))
    sweep[str(rate)] = {"final": final[label], "best validation MSE": history.history["val_loss"][best_epoch],
                                "best epoch": best_epoch + 1, "curves": curves[label]}
    print(f"{label}: validation MSE min {history.history['val_loss'][best_epoch]:.3f} at epoch {best_epoch + 1}, "
          f"final {history.history['val_loss'][-1]:.3f}; train RMSE (no dropout) {train_rmse:.3f}", flush=True)

"""
## The lecture's figures, on ratings
"""

written = plot_loss_curves(curves, "Dropout on MovieLens-100k ratings", "The slides' Sequential: Embedding, Flatten, "
                           "Dropout, Dense, Dropout, Dense" + (f" (short run: {short})" if short else ""), os.path.join(runtime.out, "dropout_sweep"),
                           ylim=(0.4, 1.4), ylabel="mean squared error (stars²)")
written += plot_loss_bars(final, "Final RMSE against the dropout rate p (train: inference mode)"
                          + (f"\nshort run: {short}" if short else ""),
                          os.path.join(runtime.out, "dropout_sweep_rmse"), ylabel="RMSE (stars)")
with open(os.path.join(runtime.out, "sweep.json"), "w") as file:
    json.dump({"sweep": sweep, "settings": vars(args)}, file, indent=2)
print("Wrote", *written, os.path.join(runtime.out, "sweep.json"), sep="\n  ")
