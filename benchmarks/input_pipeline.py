"""Benchmark: each recipe's tf.data pipeline against the same model fed from tensors already in memory.

For the three trainings of the recipes (the dropout MLP on digits, the slide rating model on
MovieLens-100k, skip-gram on the Wikipedia excerpt), epochs of `fit` on the recipe's own
pipeline (`array_batches`, `ratings_dataset`, `skipgram_dataset`: shuffling, pair generation,
batching, prefetch), against one epoch on the same batches taken from the pipeline beforehand
and stacked in memory (`Dataset.from_tensor_slices`: nothing left to compute). Same model,
interleaved rounds in one process, each a `fit` call of at least 400 steps; the median time
per epoch per feed and their ratio. Target: the pipeline costs at most 1.05x.

Run: python benchmarks/input_pipeline.py [--rounds 5]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _trainings import TRAININGS  # noqa: E402

from keras_workshop.runtime import set_deterministic  # noqa: E402


def in_memory(dataset: tf.data.Dataset, steps: int) -> tf.data.Dataset:
    """The first `steps` batches of `dataset`, computed now and stacked: slicing is all that is left."""
    batches = list(dataset.take(steps))
    stacked = tf.nest.map_structure(lambda *parts: tf.stack(parts), *batches)
    return tf.data.Dataset.from_tensor_slices(stacked).prefetch(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    set_deterministic(0, op_determinism=False)
    print(f"{'training':>23} {'steps':>6} {'pipeline s':>11} {'in memory s':>12} {'ratio':>6}  (per epoch)")
    for name, (build, _) in TRAININGS.items():
        model, pipeline, steps = build()
        memory = in_memory(pipeline, steps)
        feeds = {"pipeline": pipeline.repeat(), "memory": memory.repeat()}  # steps_per_epoch: one iterator per call
        epochs = max(1, 400 // steps)  # at least 400 steps per timed call
        for feed in feeds.values():  # compile and warm up
            model.fit(feed, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        times = {feed: [] for feed in feeds}
        for _ in range(args.rounds):
            for feed, dataset in feeds.items():
                start = time.perf_counter()
                model.fit(dataset, epochs=epochs, steps_per_epoch=steps, shuffle=False, verbose=0)
                times[feed].append(time.perf_counter() - start)
        pipeline_s, memory_s = (float(np.median(times[feed])) for feed in feeds)
        pipeline_s, memory_s = pipeline_s / epochs, memory_s / epochs
        print(f"{name:>23} {steps:>6} {pipeline_s:>11.4f} {memory_s:>12.4f} {pipeline_s / memory_s:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
