"""Probe: how the compiled skip-gram training step scales with the vocabulary size.

The same model (`keras_workshop.skipgram.skipgram_model`, dim 100, 5 negatives, batch 2048,
SGD, XLA, steps_per_execution 64) on synthetic batches for tables of 1k, 18k and 100k rows, in
one process. A step whose updates were purely sparse would cost the same at every size; the
ratio to the 1k table shows how much of each step is dense.

Run: python benchmarks/skipgram_step.py
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_workshop.skipgram import skipgram_model  # noqa: E402

BATCH, NEGATIVES, STEPS = 2048, 5, 640


def step_ms(vocabulary_size: int) -> float:
    rng = np.random.default_rng(0)
    inputs = {
        "target": rng.integers(0, vocabulary_size, (64 * BATCH, 1)).astype("int32"),
        "contexts": rng.integers(0, vocabulary_size, (64 * BATCH, 1 + NEGATIVES)).astype("int32"),
    }
    labels = np.tile([[1.0] + [0.0] * NEGATIVES], (64 * BATCH, 1)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(BATCH).cache().repeat()
    model = skipgram_model(vocabulary_size, 100, NEGATIVES)
    model.compile(keras.optimizers.SGD(1.0), keras.losses.BinaryCrossentropy(from_logits=True),
                  jit_compile=True, steps_per_execution=64)
    model.fit(dataset, epochs=1, steps_per_epoch=128, verbose=0)  # compile and warm up
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=STEPS, verbose=0)
    return (time.perf_counter() - start) / STEPS * 1e3


def main():
    base = None
    for size in (1_000, 18_000, 100_000):
        milliseconds = step_ms(size)
        base = base or milliseconds
        print(f"vocabulary {size:>7}: {milliseconds:.2f} ms/step ({milliseconds / base:.2f}x the 1k table)")


if __name__ == "__main__":
    main()
