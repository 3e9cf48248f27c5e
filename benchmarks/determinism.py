"""Benchmark: what TensorFlow's op-determinism switch costs each recipe's training, and what it buys.

`runtime.set_deterministic` turns on `tf.config.experimental.enable_op_determinism()`. With it on,
Keras 3.15 silently compiles without XLA (`model_supports_jit` is false), so the switch costs
what XLA saves plus what deterministic kernels cost. For each of the recipes' three trainings
(`benchmarks/_trainings.py`), in one process, rounds alternate between the switch on and off:
each round seeds everything the same, builds the model, warms up, and times `--steps` steps.
Printed per training: examples per second with the switch on and off, their ratio, whether
XLA was used, and whether every round of a setting ended with the same weights (repeatable).

Run: python benchmarks/determinism.py [--steps 200] [--rounds 3]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework import config as tf_config  # noqa: E402  (the switch's "off")

from _trainings import TRAININGS  # noqa: E402


def one_round(builder, deterministic: bool, steps: int, examples_per_step: int):
    """Examples per second, whether XLA compiled the step, and the weights at the end."""
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()
    keras.utils.set_random_seed(0)
    model, dataset, _ = builder()
    dataset = dataset.repeat()
    model.fit(dataset, epochs=1, steps_per_epoch=max(steps // 10, 1), shuffle=False, verbose=0)  # compile, warm up
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
    speed = steps * examples_per_step / (time.perf_counter() - start)
    return speed, bool(model.jit_compile), [np.asarray(w) for w in model.get_weights()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{'training':>26} {'on (ex/s)':>11} {'off (ex/s)':>11} {'on/off':>7}  XLA on/off  repeatable on/off")
    for name, (builder, examples_per_step) in TRAININGS.items():
        speeds, xla, ends = {True: [], False: []}, {}, {True: [], False: []}
        for _ in range(args.rounds):
            for deterministic in (True, False):
                speed, compiled, weights = one_round(builder, deterministic, args.steps, examples_per_step)
                speeds[deterministic].append(speed)
                xla[deterministic] = compiled
                ends[deterministic].append(weights)
        repeatable = {
            setting: all(all(np.array_equal(a, b) for a, b in zip(runs[0], other)) for other in runs[1:])
            for setting, runs in ends.items()
        }
        on, off = np.median(speeds[True]), np.median(speeds[False])
        print(f"{name:>26} {on:11.0f} {off:11.0f} {on / off:7.2f}  {str(xla[True]):>5}/{str(xla[False]):<5} "
              f"{str(repeatable[True]):>9}/{repeatable[False]}", flush=True)


if __name__ == "__main__":
    main()
