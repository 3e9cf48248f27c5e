"""Benchmark and check: each recipe's training on the GPU and on the CPU, the id check's cost, bad ids on each device.

One prepared script for a machine with a GPU (it runs on a CPU-only machine too, and says so).
For each device TensorFlow sees, in its own process (`runtime.select_device`):

1. Throughput of the recipes' three trainings (`benchmarks/_trainings.py`: the dropout MLP on
   digits, the slide rating model on MovieLens-100k, skip-gram on the Wikipedia excerpt):
   examples per second over `--steps` steps after a warm-up; then GPU/CPU ratios.
2. What checking ids in the graph costs: the slide rating model with the validating Embedding
   (no XLA) against `validate_ids=False` without and with XLA (`jit_compile=True`).
3. Bad ids on that device: TensorFlow's gather returns zeros on a GPU for ids past the table,
   so the in-graph check must raise on every path (eager call, `predict`, `fit`, a traced
   function, an exported SavedModel signature) for ids n, n + 1000, -1 and 2**31 - 1. Any miss
   prints FAIL and makes the script exit 1.

Run: python benchmarks/gpu.py [--steps 200]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def throughput(model, dataset, steps: int, examples_per_step: int) -> float:
    dataset = dataset.repeat()
    model.fit(dataset, epochs=1, steps_per_epoch=max(steps // 10, 1), shuffle=False, verbose=0)  # compile, warm up
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
    return steps * examples_per_step / (time.perf_counter() - start)


def bad_id_misses(device: str) -> list[str]:
    """The paths on which a bad id did not raise (empty when the check holds everywhere)."""
    import numpy as np
    import tensorflow as tf

    from keras_workshop import slides
    from keras_workshop.serving import export_for_serving

    size = 10
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=4, input_dim=size, input_length=1))
    model.compile("sgd", "mse")
    folder = tempfile.mkdtemp()
    served = tf.saved_model.load(export_for_serving(model, "bad_ids", base_dir=folder)).signatures["serving_default"]
    traced = tf.function(lambda ids: model(ids))
    paths = {
        "eager call": lambda ids: model(ids),
        "traced function": traced,
        "predict": lambda ids: model.predict(ids, verbose=0),
        "fit": lambda ids: model.fit(ids, np.zeros((len(ids), 1, 4)), epochs=1, verbose=0),
        "exported signature": lambda ids: served(**{list(served.structured_input_signature[1])[0]: tf.constant(ids)}),
    }
    misses = []
    for bad in (size, size + 1000, -1, 2**31 - 1):
        ids = np.array([[1], [bad]], dtype="int32")
        for path, run in paths.items():
            try:
                run(ids)
                misses.append(f"{path}: id {bad} on the {device} gave no error")
            except tf.errors.InvalidArgumentError as error:
                if "out of range" not in str(error) and str(bad) not in str(error):
                    misses.append(f"{path}: id {bad} on the {device}: an error that does not name it: {error}")
    return misses


def child(device: str, steps: int) -> None:
    from _trainings import TRAININGS, ratings_training

    from keras_workshop import runtime

    runtime.select_device(device)
    runtime.set_deterministic(0, op_determinism=False)
    result = {"trainings": {}, "id check": {}}
    for name, (build, examples_per_step) in TRAININGS.items():
        model, dataset, _ = build()
        result["trainings"][name] = throughput(model, dataset, steps, examples_per_step)
    for name, settings in (("validated, no XLA", dict(validate_ids=True)),
                           ("not validated, no XLA", dict(validate_ids=False, jit_compile=False)),
                           ("not validated, XLA", dict(validate_ids=False, jit_compile=True))):
        model, dataset, _ = ratings_training(**settings)
        result["id check"][name] = throughput(model, dataset, steps, 256)
    result["bad id misses"] = bad_id_misses(device)
    print(json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--child", choices=["cpu", "gpu"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.steps)
    import tensorflow as tf

    devices = ["cpu"] + (["gpu"] if tf.config.list_physical_devices("GPU") else [])
    if devices == ["cpu"]:
        print("No GPU visible to TensorFlow here: CPU figures and checks only.")
    results = {}
    for device in devices:
        command = [sys.executable, __file__, "--child", device, "--steps", str(args.steps)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results[device] = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    print(f"\nthroughput, examples/s ({args.steps} steps)")
    print(f"{'training':>24} " + " ".join(f"{device:>10}" for device in devices) + ("  gpu/cpu" if len(devices) > 1 else ""))
    for section in ("trainings", "id check"):
        for name in results["cpu"][section]:
            values = [results[device][section][name] for device in devices]
            ratio = f"  {values[1] / values[0]:7.2f}" if len(values) > 1 else ""
            print(f"{name:>24} " + " ".join(f"{value:>10.0f}" for value in values) + ratio)
        if section == "trainings":
            print("slide ratings, id check:")
    for device in devices:
        reference = results[device]["id check"]["validated, no XLA"]
        print(f"  {device}: " + ", ".join(f"{name} {value / reference:.2f}x" for name, value in results[device]["id check"].items()))
    misses = [miss for device in devices for miss in results[device]["bad id misses"]]
    for device in devices:
        print(f"bad ids on the {device}: " + ("FAIL" if results[device]["bad id misses"] else "every path raised (ok)"))
    for miss in misses:
        print("  FAIL", miss)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
