"""Benchmark: `nearest_neighbours` against NumPy brute force and faiss `IndexFlatIP`.

For V in {20k, 100k, 1M}, d in {64, 128}, Q in {1, 10, 1000} and k = 10, each
method runs in turn (interleaved) several times; the table shows medians in ms
and ratios to faiss and to the memory floor (the matrix's bytes read once at the
machine's measured copy bandwidth).

Methods:
- ours, kept:  `nearest_neighbours(unit_rows, ids, normalized=True)`, rows
  normalised once, as faiss needs for its index (same work per query as faiss).
- ours, raw:   `nearest_neighbours(raw_rows, ids)`: norms computed on every call
  (what a training callback needs, since the weights change).
- numpy:       normalise queries, one full product, argpartition, sort.
- faiss:       `IndexFlatIP.search` on unit rows, best of 1 and 2 OpenMP threads.
- product:     the chunked matrix product alone that `nearest_neighbours` computes (same
  chunks, same BLAS), with no top-k: the least any top-k built on it can take.

Run: python benchmarks/nearest_neighbours.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# faiss's OpenMP threads spin after each search and slow whatever runs next;
# passive waiting keeps the interleaved timings fair (BENCHMARKS.md, nearest neighbours: `faiss`).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from keras_workshop import nearest_neighbours  # noqa: E402

K = 10
# The chunking nearest_neighbours uses by default (keras_workshop/embeddings/_neighbours.py):
# 2**21 scores per chunk, in whole groups of 32 rows.
SCORES_PER_CHUNK, GROUP = 1 << 21, 32


def copy_bandwidth() -> float:
    """Bytes per second of a large memory copy (read + write), median of 7."""
    source = np.ones(256 * 2**20 // 4, dtype=np.float32)
    target = np.empty_like(source)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        np.copyto(target, source)
        times.append(time.perf_counter() - start)
    return 2 * source.nbytes / statistics.median(times)


def numpy_brute_force(unit_rows, ids, k):
    """The textbook version: full product per batch of queries, argpartition, sort."""
    out_ids, out_scores = [], []
    for batch in np.array_split(ids, max(1, len(ids) // 100)):
        scores = unit_rows[batch] @ unit_rows.T
        scores[np.arange(len(batch)), batch] = -np.inf
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-top_scores, axis=1)
        out_ids.append(np.take_along_axis(top, order, axis=1))
        out_scores.append(np.take_along_axis(top_scores, order, axis=1))
    return np.concatenate(out_ids), np.concatenate(out_scores)


def product_only(unit_rows, ids):
    """The chunked product of `nearest_neighbours` (same chunk rows), scores thrown away."""
    queries = unit_rows[ids]
    chunk = SCORES_PER_CHUNK // len(ids)
    chunk = max(chunk - chunk % GROUP, GROUP)
    for start in range(0, len(unit_rows), chunk):
        unit_rows[start : start + chunk] @ queries.T


def faiss_search(index, threads):
    def run(unit_rows, ids, k):
        faiss.omp_set_num_threads(threads)
        scores, found = index.search(unit_rows[ids], k + 1)
        return found[:, 1:], scores[:, 1:]  # the first hit is the query itself

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="V up to 100k, fewer repeats")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sizes = [20_000, 100_000] if args.quick else [20_000, 100_000, 1_000_000]
    repeats = 3 if args.quick else args.repeats
    bandwidth = copy_bandwidth()
    print(f"copy bandwidth {bandwidth / 1e9:.1f} GB/s; k = {K}; medians of {repeats} interleaved runs")
    header = (
        f"{'V':>9} {'d':>4} {'Q':>5} | {'floor':>7} {'kept':>8} {'raw':>8} {'numpy':>8} "
        f"{'faiss':>8} {'product':>8} | {'kept/faiss':>10} {'raw/faiss':>9} {'product/faiss':>13} "
        f"{'kept/floor':>10} {'raw/floor':>9}"
    )
    print(header)
    rng = np.random.default_rng(0)
    for size in sizes:
        for dim in (64, 128):
            raw = rng.standard_normal((size, dim), dtype=np.float32)
            unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)
            index = faiss.IndexFlatIP(dim)
            index.add(unit)
            for queries in (1, 10, 1000):
                ids = rng.choice(size, queries, replace=False)
                methods = {
                    "kept": lambda: nearest_neighbours(unit, ids, K, normalized=True),
                    "raw": lambda: nearest_neighbours(raw, ids, K),
                    "numpy": lambda: numpy_brute_force(unit, ids, K),
                    "faiss1": lambda: faiss_search(index, 1)(unit, ids, K),
                    "faiss2": lambda: faiss_search(index, 2)(unit, ids, K),
                    "product": lambda: product_only(unit, ids),
                }
                reference = methods["numpy"]()[0]
                found = methods["kept"]()[0]
                agreement = np.mean([len(set(a) & set(b)) / K for a, b in zip(found, reference)])
                times = {name: [] for name in methods}
                for _ in range(repeats):
                    for name, method in methods.items():
                        start = time.perf_counter()
                        method()
                        times[name].append(time.perf_counter() - start)
                ms = {name: 1e3 * statistics.median(t) for name, t in times.items()}
                ms["faiss"] = min(ms["faiss1"], ms["faiss2"])
                floor = 1e3 * unit.nbytes / bandwidth
                print(
                    f"{size:>9} {dim:>4} {queries:>5} | {floor:7.2f} {ms['kept']:8.2f} "
                    f"{ms['raw']:8.2f} {ms['numpy']:8.2f} {ms['faiss']:8.2f} {ms['product']:8.2f} | "
                    f"{ms['kept'] / ms['faiss']:10.2f} {ms['raw'] / ms['faiss']:9.2f} "
                    f"{ms['product'] / ms['faiss']:13.2f} "
                    f"{ms['kept'] / floor:10.2f} {ms['raw'] / floor:9.2f}"
                    + ("" if agreement == 1 else f"  (top-k agreement {agreement:.3f})"),
                    flush=True,
                )


if __name__ == "__main__":
    main()
