"""Benchmark: the compiled skip-gram training step, per pair, against the negatives' group size.

The recipe's model (`keras_workshop.skipgram.skipgram_model`: dim 100, 5 negatives, batch
2048 pairs, SGD, XLA, steps_per_execution 64) trained with Keras `fit` on synthetic batches
for a table of 18,312 rows (the Wikipedia excerpt's vocabulary), for groups of 1, 4, 16 and
64 pairs sharing one draw of negatives. Interleaved rounds in one process; the median per
size, and its ratio to group size 1 (a draw for every pair, as in word2vec's C code).

Run: python benchmarks/skipgram_step.py [--rounds 3]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_workshop.skipgram import skipgram_model  # noqa: E402

VOCABULARY, DIM, NEGATIVES, BATCH, STEPS = 18_312, 100, 5, 2048, 512


def timed_fit(group_size: int):
    """A compiled model and a function that times `STEPS` training steps on it."""
    rng = np.random.default_rng(0)
    groups = 64 * BATCH // group_size
    inputs = {
        "target": rng.integers(0, VOCABULARY, (groups, group_size)).astype("int32"),
        "context": rng.integers(0, VOCABULARY, (groups, group_size)).astype("int32"),
        "negatives": rng.integers(0, VOCABULARY, (groups, NEGATIVES)).astype("int32"),
    }
    labels = np.zeros((groups, group_size, 1 + NEGATIVES), "float32")
    labels[..., 0] = 1
    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(BATCH // group_size).cache().repeat()
    model = skipgram_model(VOCABULARY, DIM, NEGATIVES, group_size)
    model.compile(keras.optimizers.SGD(1.0), keras.losses.BinaryCrossentropy(from_logits=True),
                  jit_compile=True, steps_per_execution=64)
    model.fit(dataset, epochs=1, steps_per_epoch=128, verbose=0)  # compile and warm up

    def run() -> float:
        start = time.perf_counter()
        model.fit(dataset, epochs=1, steps_per_epoch=STEPS, verbose=0)
        return (time.perf_counter() - start) / (STEPS * BATCH) * 1e9

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = {size: timed_fit(size) for size in (1, 4, 16, 64)}
    timings = {size: [] for size in runs}
    for _ in range(args.rounds):
        for size, run in runs.items():
            timings[size].append(run())
    base = np.median(timings[1])
    print(f"{'group size':>10} {'ns/pair':>8} {'ms/step':>8} {'vs 1':>6}")
    for size, values in timings.items():
        median = np.median(values)
        print(f"{size:>10} {median:8.0f} {median * BATCH / 1e6:8.2f} {median / base:6.2f}")


if __name__ == "__main__":
    main()
