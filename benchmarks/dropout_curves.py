"""Benchmark: the lecture's dropout curves, plain Keras 3 port against this project's training.

Both train the lecture's three models (p = 0, 0.2, 0.8; digits with 200 noisy labels;
SGD 0.1, batch 128, 150 epochs, half the training set for validation) in one process:
- plain port: `model.compile(SGD(0.1), ...)` and `model.fit(x, y, batch_size=128,
  epochs=150, validation_data=split.valid)` on NumPy arrays (the same rows as
  `validation_split=0.5`), one model after another, as the
  lecture's notebook did;
- the recipe: `side_by_side_model` (the three models as one Keras model), `compile` and one
  `model.fit` on tf.data batches (what `recipes/dropout_curves.py` runs).

Prints wall times, their ratios to the plain port, and each model's final and minimum losses.

Run: python benchmarks/dropout_curves.py [--epochs 150] [--repeats 1]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_workshop import (  # noqa: E402
    array_batches,
    SideBySideCrossEntropy,
    batches_per_epoch,
    dropout_mlp,
    member_cross_entropies,
    noisy_digits,
    side_by_side_model,
)

RATES = (0.0, 0.2, 0.8)


def plain_port(split, epochs):
    curves = {}
    for rate in RATES:
        model = dropout_mlp(64, (1024, 10, 10), 10, rate=rate)
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        history = model.fit(
            *split.train, batch_size=128, epochs=epochs, validation_data=tuple(split.valid), verbose=0
        ).history
        curves[rate] = history
    return curves


def batches(split, seed):
    train = array_batches(split.train, 128, shuffle_seed=seed)
    return train, array_batches(split.valid, 1024)


def recipe(split, epochs, seed):
    train, validation = batches(split, seed)
    models = {rate: dropout_mlp(64, (1024, 10, 10), 10, rate=rate) for rate in RATES}
    model = side_by_side_model(models)
    model.compile(keras.optimizers.SGD(0.1), SideBySideCrossEntropy(), metrics=member_cross_entropies(models))
    history = model.fit(train, steps_per_epoch=batches_per_epoch(len(split.train.x), 128),
                        validation_data=validation, epochs=epochs, shuffle=False, verbose=0).history
    return {rate: {"loss": history[f"cross_entropy[{rate}]"], "val_loss": history[f"val_cross_entropy[{rate}]"]}
            for rate in RATES}


def summary(curve):
    validation = np.array(curve["val_loss"])
    return (
        f"train {curve['loss'][-1]:.3f}, val final {validation[-1]:.3f}, "
        f"val min {validation.min():.3f} @ {validation.argmin() + 1}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    split = noisy_digits(noisy_labels=200, seed=42)
    runs = {"plain": lambda seed: plain_port(split, args.epochs), "recipe": lambda seed: recipe(split, args.epochs, seed)}
    times = {name: [] for name in runs}
    for repeat in range(args.repeats):
        for name, run in runs.items():
            keras.utils.set_random_seed(42 + repeat)
            start = time.perf_counter()
            curves = run(42 + repeat)
            times[name].append(time.perf_counter() - start)
            print(f"{name:>6} run {repeat + 1}: {times[name][-1]:6.1f} s")
            for rate in RATES:
                print(f"        p={rate}: {summary(curves[rate])}")
    plain = np.median(times["plain"])
    print(f"\nplain port {plain:.1f} s; the recipe's model.fit {np.median(times['recipe']):.1f} s: ratio "
          f"{np.median(times['recipe']) / plain:.3f} (target <= 0.2)")

if __name__ == "__main__":
    main()
