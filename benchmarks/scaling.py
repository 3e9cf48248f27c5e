"""Benchmark: training throughput on one device, on two logical CPU devices, and on one and two workers.

The slide rating model (`recommenders.slide_rating_model`, d = 16, Dense 256, dropout 0.4) on every
MovieLens-100k rating, global batch `--batch-size`, Adam, `model.fit`: examples per second
over `--epochs` epochs after one warm-up epoch, each configuration in its own process (devices
and strategies are fixed when TensorFlow starts):

- `none`: TensorFlow's default strategy, one device;
- `mirrored`: `MirroredStrategy` over two logical CPU devices of this machine;
- `multiworker x1` / `x2`: `MultiWorkerMirroredStrategy` with one and with two worker
  processes on 127.0.0.1 (`TF_CONFIG`), as on two machines but sharing this one's cores.

Ratios are to `none`. On a 2-core machine every replica shares the same two cores, so this
measures what distribution costs here (collectives, per-replica batches), not a speed-up.

Run: python benchmarks/scaling.py [--epochs 2] [--batch-size 1024]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def child(strategy_name: str, epochs: int, batch_size: int) -> None:
    """Trains in this process and prints `{"examples_per_second": ...}` (the chief's figure)."""
    import keras

    from keras_workshop import runtime
    from keras_workshop.movielens import field_vocabulary, load_movielens, rating_rows
    from keras_workshop.recommenders import ratings_dataset, slide_rating_model

    device = runtime.select_device("cpu", cpu_replicas=2 if strategy_name == "mirrored" else 1)
    runtime.set_deterministic(0)
    strategy = runtime.make_strategy(strategy_name, device)
    data = load_movielens()
    vocabulary = field_vocabulary(data)
    rows = rating_rows(data, vocabulary, data.rating_users, data.rating_items)
    with strategy.scope():
        model = slide_rating_model(len(vocabulary), rows.shape[1], rate=0.4, mean_rating=float(data.ratings.mean()))
        model.compile(keras.optimizers.Adam(1e-3), "mse")
    dataset = ratings_dataset(rows, data.ratings, batch_size, shuffle_seed=0)
    steps = runtime.batches_per_epoch(len(rows), batch_size)
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)  # warm up
    start = time.perf_counter()
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    if runtime.is_chief(strategy):
        print(json.dumps({"examples_per_second": epochs * len(rows) / seconds}), flush=True)


def launch(strategy_name: str, workers: int, args) -> float:
    command = [sys.executable, __file__, "--child", strategy_name, "--epochs", str(args.epochs),
               "--batch-size", str(args.batch_size)]
    environments = [dict(os.environ)]
    if strategy_name == "multiworker":
        ports = []
        for _ in range(workers):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                ports.append(probe.getsockname()[1])
        cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
        environments = [dict(os.environ, TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}))
                        for i in range(workers)]
    processes = [subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True) for environment in environments]
    outputs = [process.communicate()[0] for process in processes]
    if any(process.returncode for process in processes):
        raise SystemExit(f"{strategy_name} x{workers} failed: {outputs}")
    line = next(line for line in outputs[0].splitlines() if line.startswith("{"))
    return json.loads(line)["examples_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--child", choices=["none", "mirrored", "multiworker"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.epochs, args.batch_size)
    print(f"slide rating model, 100,000 ratings, global batch {args.batch_size}, {args.epochs} epochs")
    print(f"{'configuration':>16} {'examples/s':>11} {'ratio':>6}")
    baseline = None
    for name, strategy_name, workers in (("none", "none", 1), ("mirrored x2 CPU", "mirrored", 1),
                                         ("multiworker x1", "multiworker", 1), ("multiworker x2", "multiworker", 2)):
        throughput = launch(strategy_name, workers, args)
        baseline = baseline or throughput
        print(f"{name:>16} {throughput:>11.0f} {throughput / baseline:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
