"""
Title: Dropout curves: overfitting noise, a bit of dropout, too much
Description: The Dropout Regularization slides' three learning-curve figures, from the
lecture's own set-up, and the slide's other regularisers side by side.

The lecture trained the slide's MLP (Dense 1024 -> Dropout(p) -> Dense 10 -> Dropout(p)
-> Dense 10 -> Dropout(p) -> softmax) on scikit-learn's digits, with 200 labels made
noisy, for 150 epochs of SGD (learning rate 0.1, batch 128, half of the training set
held out for validation), for p in {0, 0.2, 0.8}. Here the three models train side by
side on the same tf.data batches, as one Keras model, with one `model.fit`.

Outputs in `--out`: `curves.json`, `dropout_curves_1/2/3.{png,svg}` (the slides' three
figures), `regularisers.{png,svg}`, `regularisers.json`; each dropout model is exported to
`saved_models/dropout_mlp_p<rate>/<version>/`.

Run: python recipes/dropout_curves.py [--epochs 150] [--seed 42] [--out runs/dropout_curves] [--resume]
"""

import json
import os

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import keras

from keras_workshop.dropout import (
    SideBySideCrossEntropy,
    member_cross_entropies,
    noisy_digits,
    side_by_side_model,
)
from keras_workshop.plots import plot_loss_bars, plot_loss_curves
from keras_workshop.runtime import (
    array_batches,
    batches_per_epoch,
    positive_int,
    recipe_settings,
    shortened,
    start_runtime,
)
from keras_workshop.serving import export_for_serving
from keras_workshop.slides import Dense, Dropout, Sequential

"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

EPOCHS: positive_int = 150  # training epochs (lecture: 150)

args, parser = recipe_settings(globals(), "The Dropout slides' learning curves.", out="runs/dropout_curves")
short = shortened(args, parser, "epochs")
if short:  # said on screen and on the figures: the lecture's curves need the lecture's 150 epochs
    print(f"Short run ({short}): its figures show this run, not the lecture's.")

runtime = start_runtime(args, parser, global_batch=128)

"""
## Data: digits with noisy labels

The first 200 labels of the 1,797 digits are redrawn at random, then 15% is held out as
a test set and the features are standardised. As `validation_split=0.5` does in Keras,
the last half of the training part is the validation set.
"""

split = noisy_digits(noisy_labels=200, seed=42, validation_split=0.5)
validation = array_batches(split.valid, batch_size=1024)
print(f"train {len(split.train.x)} digits, validation {len(split.valid.x)}, 200 noisy labels in all")

"""
## The slide's model

The slide's `Sequential` block in the slide's own spelling (`Dense(hidden_size, input_shape,
activation='relu')`, `Dropout(p=...)`), one `Dense -> Dropout` per hidden layer; the lecture
used three hidden layers of 1024, 10 and 10 units. `l2` is the slide's other regulariser, an
L2 penalty on every kernel (used further down).
"""


def slide_mlp(rate, widths=(1024, 10, 10), l2=0.0):
    penalty = {"W_regularizer": keras.regularizers.L2(l2)} if l2 else {}
    model = Sequential()
    model.add(Dense(widths[0], (64,), activation="relu", **penalty))
    model.add(Dropout(p=rate))
    for width in widths[1:]:
        model.add(Dense(width, activation="relu", **penalty))
        model.add(Dropout(p=rate))
    model.add(Dense(10, activation="softmax", dtype="float32", **penalty))  # float32 softmax under mixed precision
    return model


rates = [0.0, 0.2, 0.8]
with runtime.strategy.scope():
    models = {f"p={rate}": slide_mlp(rate) for rate in rates}
models["p=0.0"].summary()

"""
## Training: p = 0, 0.2 and 0.8, side by side

The three models share no weights: one Keras model runs them on the same batches
(`side_by_side_model`), and the sum of their cross-entropies trains each one as its own
`fit` would, in a third of the time. One metric per model gives its two curves
(`cross_entropy[p=0.2]` while training, with dropout on; `val_cross_entropy[p=0.2]` on the
validation half).
"""


def train_side_by_side(members, training):
    """Trains `members` with the lecture's SGD 0.1 for `--epochs` epochs; returns each one's two curves."""
    # Batches of 128, reshuffled every epoch: each training sees the same orders, from epoch 0's
    # (or, with --resume, from the epoch it resumes at).
    first_epoch = runtime.first_epoch(training)
    train = array_batches(split.train, batch_size=128, shuffle_seed=args.seed,
                       first_epoch=first_epoch)
    with runtime.strategy.scope():
        model = side_by_side_model(members)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=0.1),
            loss=SideBySideCrossEntropy(),
            metrics=member_cross_entropies(members),
        )
    # The dataset streams epoch after epoch, so `fit` keeps one iterator for the whole run (a new
    # one every epoch would cost more than the epoch's arithmetic at this size).
    history = model.fit(
        train,
        steps_per_epoch=batches_per_epoch(len(split.train.x), 128),
        validation_data=validation,
        epochs=EPOCHS,
        initial_epoch=first_epoch,
        shuffle=False,  # the dataset reshuffles itself every epoch
        verbose=runtime.verbose,
        callbacks=runtime.backups(training),  # with --resume: every epoch backed up, resumed after a kill
    )
    return {label: {"loss": history.history[f"cross_entropy[{label}]"],
                    "val_loss": history.history[f"val_cross_entropy[{label}]"]} for label in members}


curves = train_side_by_side(models, "dropout_rates")
with open(os.path.join(runtime.out, "curves.json"), "w") as file:
    json.dump(
        {f"{rate}": {"train": curves[f"p={rate}"]["loss"], "validation": curves[f"p={rate}"]["val_loss"]}
         for rate in rates},
        file,
    )
for label, curve in curves.items():
    best = min(range(len(curve["val_loss"])), key=curve["val_loss"].__getitem__)
    print(
        f"{label}: final train {curve['loss'][-1]:.3f}, final validation {curve['val_loss'][-1]:.3f}, "
        f"validation minimum {curve['val_loss'][best]:.3f} at epoch {best + 1}"
    )

"""
## The three figures

Train solid, validation dashed, as in the lecture. Figure 1 shows no dropout only,
figure 2 adds p = 0.2, figure 3 adds p = 0.8.
"""

subtitle = "MLP with 3 hidden layers and noisy labels" + (f" (short run: {short})" if short else "")
titles = ["Overfitting Noise", "A bit of Dropout", "Too much: Underfitting"]
written = []
for number, title in enumerate(titles, start=1):
    shown = {label: curves[label] for label in list(curves)[:number]}
    written += plot_loss_curves(shown, title, subtitle, os.path.join(runtime.out, f"dropout_curves_{number}"))

"""
## The slide's regularisers side by side

Width, depth, an L2 penalty and dropout, each applied to the same overfitting network.
"""

with runtime.strategy.scope():
    variants = {
        "no regulariser": slide_mlp(0.0),
        "narrower (64 wide)": slide_mlp(0.0, widths=(64, 10, 10)),
        "shallower (1 layer)": slide_mlp(0.0, widths=(1024,)),
        "L2 penalty 1e-3": slide_mlp(0.0, l2=1e-3),
        "dropout p=0.2": slide_mlp(0.2),
    }
variant_curves = train_side_by_side(variants, "regularisers")
final = {
    label: {"train": curve["loss"][-1], "validation": curve["val_loss"][-1]}
    for label, curve in variant_curves.items()
}
with open(os.path.join(runtime.out, "regularisers.json"), "w") as file:
    json.dump(final, file, indent=2)
for label, values in final.items():
    print(f"{label:>22}: train {values['train']:.3f}, validation {values['validation']:.3f}")
written += plot_loss_bars(final, f"Regularisers on noisy digits after {EPOCHS} epochs", os.path.join(runtime.out, "regularisers"))

"""
## Export

Each dropout model goes to `saved_models/` in TF Serving's layout; dropout is inactive
in the served graph.
"""

for rate in rates:
    written.append(
        export_for_serving(
            models[f"p={rate}"], f"dropout_mlp_p{rate}", base_dir=runtime.saved_models, output_name="probabilities"
        )
    )
print("Wrote", *written, os.path.join(runtime.out, "curves.json"), os.path.join(runtime.out, "regularisers.json"), sep="\n  ")
