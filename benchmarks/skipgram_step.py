"""Benchmark: the compiled skip-gram training step, per pair, against group size and stacking.

The recipe's model (`keras_workshop.word2vec.skipgram_model`: dim 100, 5 negatives, batch
2048 pairs, SGD, XLA; `compile_skipgram`) trained with Keras `fit` on synthetic batches for
a table of 18,312 rows (the Wikipedia excerpt's vocabulary). Configurations: `G` pairs
sharing one draw of negatives, and `M` batches stacked per training step (one compiled
loop of `M` updates). Interleaved rounds in one process; the median per configuration, and
its ratio to `G = 1, M = 1` (a draw for every pair, as in word2vec's C code, and one launch
per update).

Run: python benchmarks/skipgram_step.py [--rounds 3]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_workshop.word2vec import compile_skipgram, skipgram_model  # noqa: E402

VOCABULARY, DIM, NEGATIVES, BATCH, UPDATES = 18_312, 100, 5, 2048, 512
CONFIGURATIONS = [(1, 1), (32, 1), (1, 8), (16, 8), (32, 8), (64, 8)]  # (group size G, batches per step M)


def timed_fit(group_size: int, batches_per_step: int):
    """A compiled model and a function that times `UPDATES` updates on it, in ns per pair."""
    rng = np.random.default_rng(0)
    groups = 64 * BATCH // group_size
    inputs = {
        "target": rng.integers(0, VOCABULARY, (groups, group_size)).astype("int32"),
        "context": rng.integers(0, VOCABULARY, (groups, group_size)).astype("int32"),
        "negatives": rng.integers(0, VOCABULARY, (groups, NEGATIVES)).astype("int32"),
    }
    labels = np.zeros((groups, group_size, 1 + NEGATIVES), "float32")
    labels[..., 0] = 1
    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(BATCH // group_size)
    if batches_per_step > 1:
        dataset = dataset.batch(batches_per_step)
    options = tf.data.Options()
    options.autotune.enabled = False  # as in skipgram_dataset: no autotuner stall when fit returns
    dataset = dataset.cache().repeat().prefetch(8).with_options(options)
    model = skipgram_model(VOCABULARY, DIM, NEGATIVES, group_size)
    compile_skipgram(model, BATCH, steps_per_epoch=64 // batches_per_step, epochs=10**6,
                     batches_per_step=batches_per_step)
    steps = UPDATES // batches_per_step
    model.fit(dataset, epochs=1, steps_per_epoch=steps // 4, verbose=0)  # compile and warm up

    def run() -> float:
        start = time.perf_counter()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        return (time.perf_counter() - start) / (UPDATES * BATCH) * 1e9

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = {configuration: timed_fit(*configuration) for configuration in CONFIGURATIONS}
    timings = {configuration: [] for configuration in runs}
    for _ in range(args.rounds):
        for configuration, run in runs.items():
            timings[configuration].append(run())
    base = np.median(timings[CONFIGURATIONS[0]])
    print(f"{'G':>4} {'M':>3} {'ns/pair':>8} {'ms/update':>10} {'vs G=1,M=1':>11}")
    for (group_size, batches_per_step), values in timings.items():
        median = np.median(values)
        print(f"{group_size:>4} {batches_per_step:>3} {median:8.0f} {median * BATCH / 1e6:10.2f} {median / base:11.2f}")


if __name__ == "__main__":
    main()
