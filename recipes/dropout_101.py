"""
Title: Dropout 101: what the layer does, and its two readings
Description: The Dropout slides' claims, measured: activations zeroed with probability p
while training, the identity at test time; Keras' inverted dropout against the slides'
"multiply the weights by the keep probability"; and the ensemble reading, Monte-Carlo
averages of sampled masks approaching the test-time network.

Outputs in `--out`: `dropout_101.json`, `mc_dropout.{png,svg}` (the Monte-Carlo average's
distance to the test-time network against the number of masks). The converted model is
exported to `saved_models/slide_dropout_converted/<version>/`.

Run: python recipes/dropout_101.py [--seed 42] [--out runs/dropout_101] [--resume]
"""

import json
import math
import os

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import keras
import numpy as np
import scipy.special

from keras_workshop.dropout import (
    SlideDropout,
    mc_dropout_predict,
    noisy_digits,
    to_inverted_dropout,
)
from keras_workshop.plots import plot_mc_gaps
from keras_workshop.runtime import (
    array_batches,
    batches_per_epoch,
    fractions,
    positive_int,
    recipe_settings,
    start_runtime,
)
from keras_workshop.serving import export_for_serving
from keras_workshop.slides import Dense, Dropout, Sequential

"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

RATES: fractions = [0.2, 0.5, 0.8]  # dropout rates whose masks are counted
EPOCHS: positive_int = 5  # epochs of each small network on the digits
MASKS: list[positive_int] = [1, 10, 100, 1000]  # how many masks the Monte-Carlo averages take

args, parser = recipe_settings(globals(), "The Dropout slides' claims, measured.", out="runs/dropout_101")

runtime = start_runtime(args, parser, global_batch=128)
results = {}

"""
## Dropout: randomly set activations to 0 with probability p

Keras scales the kept activations by 1 / (1 - p) while training ("inverted dropout"),
so nothing changes at test time.
"""

print("## Dropout at training and test time")
activations = np.ones((1000, 1000), dtype="float32")
for rate in RATES:
    layer = keras.layers.Dropout(rate, seed=args.seed)
    dropped = np.asarray(layer(activations, training=True))
    zero_fraction = float(np.mean(dropped == 0))
    standard_error = math.sqrt(rate * (1 - rate) / dropped.size)
    kept_values = np.unique(dropped[dropped != 0])
    identity = bool(np.array_equal(np.asarray(layer(activations, training=False)), activations))
    print(
        f"p = {rate}: zeroed {zero_fraction:.4f} (expected {rate}, standard error "
        f"{standard_error:.4f}); kept values {kept_values} (1/(1-p) = {1 / (1 - rate):.4f}); "
        f"identity at test time: {identity}"
    )
    results[f"p={rate}"] = dict(zeroed=zero_fraction, kept=kept_values.tolist(), identity=identity)

"""
## The slides' formulation: no scaling while training, weights times (1 - p) at test

A network trained with `SlideDropout` (the paper's form) converts to Keras' form by
multiplying the weights after each dropout by the keep probability. The converted model
gives the slides' test-time outputs.
"""

print("\n## Slide formulation vs Keras' inverted dropout")
split = noisy_digits(noisy_labels=0, seed=args.seed, validation_split=0)  # train on all 1,527, validate on test
# Batches of 128, reshuffled every epoch from epoch 0's order (or, with --resume, the epoch it resumes at).
first_epoch = runtime.first_epoch("slide_dropout")
train = array_batches(split.train, 128, shuffle_seed=args.seed, first_epoch=first_epoch)
with runtime.strategy.scope():  # the slides' `Sequential`: a keras.Sequential that trains under every strategy
    slide_model = Sequential(
        [
            keras.Input((64,), name="features"),
            keras.layers.Dense(256, activation="relu"),
            SlideDropout(0.5, seed=args.seed),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    slide_model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy", metrics=["accuracy"])
slide_model.fit(
    train,
    validation_data=array_batches(split.test, 512),
    epochs=EPOCHS,
    initial_epoch=first_epoch,
    steps_per_epoch=batches_per_epoch(len(split.train.x), 128),  # the dataset streams epoch after epoch
    shuffle=False,  # the dataset reshuffles itself every epoch
    verbose=runtime.verbose,
    callbacks=runtime.backups("slide_dropout"),  # with --resume: every epoch backed up, resumed after a kill
)
first, second = slide_model.layers[0], slide_model.layers[2]
hidden = np.maximum(split.test.x.astype(np.float64) @ first.kernel.numpy() + first.bias.numpy(), 0)
logits = (hidden * (1 - 0.5)) @ second.kernel.numpy() + second.bias.numpy()
slide_rule = scipy.special.softmax(logits, axis=1)
keras_model = to_inverted_dropout(slide_model)
converted = keras_model.predict(split.test.x, verbose=0)
gap = float(np.abs(converted - slide_rule).max())
print(f"max |Keras inverted-dropout model - slide test-time rule| = {gap:.2e} on {len(split.test.x)} digits")
results["equivalence_max_gap"] = gap
export_path = export_for_serving(keras_model, "slide_dropout_converted", runtime.saved_models, output_name="probabilities")
print(f"Exported the converted model to {export_path}")

"""
## Ensemble interpretation: Monte-Carlo dropout

Each mask samples one of the weight-sharing sub-networks. Their average approaches the
deterministic test-time network as the number of masks grows (exactly, in expectation,
when dropout feeds a linear layer; close to it through the softmax).
"""

print("\n## Monte-Carlo dropout: average of sampled masks vs the test-time network")
first_epoch = runtime.first_epoch("dropout_mlp")
train = array_batches(split.train, 128, shuffle_seed=args.seed, first_epoch=first_epoch)
with runtime.strategy.scope():
    mlp = Sequential()  # the slides' code block, as the slides write it
    mlp.add(Dense(256, (64,), activation="relu"))
    mlp.add(Dropout(p=0.5))
    mlp.add(Dense(256, activation="relu"))
    mlp.add(Dropout(p=0.5))
    mlp.add(Dense(10, activation="softmax", dtype="float32"))  # float32 softmax under mixed precision
    mlp.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
mlp.fit(train, epochs=EPOCHS, initial_epoch=first_epoch, steps_per_epoch=batches_per_epoch(len(split.train.x), 128),
        shuffle=False, verbose=runtime.verbose, callbacks=runtime.backups("dropout_mlp"))
deterministic = mlp.predict(split.test.x, verbose=0)
linear_readout = keras.Sequential(
    [
        keras.Input((64,), name="features"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10),
    ]
)
networks = {
    "slide MLP, softmax probabilities": (mlp, deterministic),
    "dropout into a linear layer": (linear_readout, linear_readout.predict(split.test.x, verbose=0)),
}
for label, (network, reference) in networks.items():
    gaps = {}
    for samples in MASKS:
        average = mc_dropout_predict(network, split.test.x, samples, seed=args.seed)
        gaps[samples] = float(np.abs(average - reference).mean())
        print(f"{label}: {samples:>4} masks, mean |average - test-time network| = {gaps[samples]:.4f}")
    results[f"mc_gaps ({label})"] = gaps
written = plot_mc_gaps({label: results[f"mc_gaps ({label})"] for label in networks},
                       "Monte-Carlo dropout: the average of n masks against the test-time network",
                       os.path.join(runtime.out, "mc_dropout"))

with open(os.path.join(runtime.out, "dropout_101.json"), "w") as file:
    json.dump(results, file, indent=2)
print("\nWrote", *written, os.path.join(runtime.out, "dropout_101.json"), sep="\n  ")
