"""Benchmark: the served path (TensorFlow's C++ loader, as TF Serving) against Keras.

A 20,000 x 100 embedding model is exported with `export_for_serving`. A child process
that never imports TensorFlow's Python API loads it with `TF_LoadSessionFromSavedModel`
(the C++ `LoadSavedModel` TF Serving uses) and times `serving_default` (ids -> vectors)
and `neighbours` (ids, k = 10 -> top-10 cosine neighbours) for batches of 1, 32 and 1024
ids. This process times the same inputs through Keras: `model.predict` for
`serving_default`, and `keras_workshop.nearest_neighbours` on the layer's weights for
`neighbours`. Network and request parsing of a real server are not included.

Run: python benchmarks/serving.py
"""

import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

SIZE, DIM, K = 20_000, 100, 10
BATCHES = (1, 32, 1024)


def repeats(batch):
    return 300 if batch < 1024 else 40


def timings(run, batch):
    run()
    times = []
    for _ in range(repeats(batch)):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1e3 * np.percentile(times, 50), 1e3 * np.percentile(times, 99)


def served(export_dir):
    """Child process: times the C++ loader path; prints JSON."""
    from keras_workshop.serving import ServedModel

    served = ServedModel(export_dir)
    rng = np.random.default_rng(0)
    results = {}
    for batch in BATCHES:
        ids = rng.integers(0, SIZE, batch).astype(np.int32)
        results[f"serving_default/{batch}"] = timings(lambda: served.run("serving_default", {"ids": ids[:, None]}), batch)
        feeds = {"ids": ids, "k": np.int32(K)}
        results[f"neighbours/{batch}"] = timings(lambda: served.run("neighbours", feeds), batch)
    assert "tensorflow" not in sys.modules
    print(json.dumps(results))


def main():
    import keras

    from keras_workshop import slides
    from keras_workshop.embeddings import nearest_neighbours, unit_rows
    from keras_workshop.runtime import set_deterministic
    from keras_workshop.serving import export_for_serving

    set_deterministic(0)
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=DIM, input_dim=SIZE, input_length=1))
    weights = model.layers[0].embeddings.numpy()
    unit = unit_rows(weights)
    with tempfile.TemporaryDirectory() as base:
        export_dir = export_for_serving(model, "words", base_dir=base, output_name="vectors")
        child = subprocess.run(
            [sys.executable, __file__, "--served", export_dir], capture_output=True, text=True, check=True
        )
    cpp = json.loads(child.stdout.strip().splitlines()[-1])
    rng = np.random.default_rng(0)
    print(f"{SIZE} x {DIM} embedding, k = {K}; times in ms (p50 / p99); throughput in ids/s at p50")
    print(f"{'signature':>16} {'batch':>6} | {'served p50':>10} {'p99':>7} {'ids/s':>9} | {'keras p50':>9} {'p99':>7} | {'served/keras':>12}")
    for batch in BATCHES:
        ids = rng.integers(0, SIZE, batch).astype(np.int32)
        keras_runs = {
            "serving_default": ("model.predict", lambda: model.predict(ids[:, None], verbose=0)),
            "neighbours": ("nearest_neighbours", lambda: nearest_neighbours(unit, ids, K, normalized=True)),
        }
        for signature, (_, run) in keras_runs.items():
            served_p50, served_p99 = cpp[f"{signature}/{batch}"]
            keras_p50, keras_p99 = timings(run, batch)
            print(
                f"{signature:>16} {batch:>6} | {served_p50:10.3f} {served_p99:7.3f} {batch / served_p50 * 1e3:9.0f} | "
                f"{keras_p50:9.3f} {keras_p99:7.3f} | {served_p50 / keras_p50:12.2f}"
            )
    print("keras column: model.predict for serving_default, nearest_neighbours (normalized rows) for neighbours")
    del keras


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--served":
        served(sys.argv[2])
    else:
        main()
