"""Benchmark: top-k quality and training time of the slides' models against the baselines, and served latency.

On RecBole's protocol (`topk_split`, seeds 0, 1, 2): "most popular", item-kNN, EASE in
NumPy, EASE as a Dense layer, the denoising recommender and the two towers, each fit on
train and validation and measured on test in one run, with the seconds each takes to fit
(ratios to EASE). Settings are the ones `recipes/movie_recommendations.py` picks on
validation or uses by default (λ = 400; Mult-DAE: the bag normalised, dropout 0.5,
`Dense(600, tanh)`, L2 1e-3, `MultinomialLikelihood`, batches of 128; two towers: d = 64, batches of
2048, Adam 3e-3). Then the last seed's models are exported twice, serving EASE and serving the
recipe's blend (EDLAE + 0.8 x Mult-DAE, standardised), and a child process that never imports
TensorFlow's Python API (the C++ loader TF Serving uses) times `recommend` (one user, k = 10)
and `recommend_for_profile` (one profile) of each, next to EASE's top 10 from NumPy in this
process.

Run: python benchmarks/recommendations.py [--epochs 40] [--tower-epochs 15] [--seeds 0 1 2]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

REPEATS = 300
PROFILE = {"gender": np.array(["F"], object), "age": np.array([30], np.int32),
           "occupation": np.array(["writer"], object), "liked_titles": np.array([[""]], object), "k": np.int32(10)}


def p50_ms(run):
    run()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.percentile(times, 50))


def served(export_dir):
    """Child process: times the C++ loader path; prints JSON."""
    from keras_workshop.serving import ServedModel

    model = ServedModel(export_dir)
    results = {
        "recommend": p50_ms(lambda: model.run("recommend", {"user_id": np.array(["1"], object), "k": np.int32(10)})),
        "recommend_for_profile": p50_ms(lambda: model.run("recommend_for_profile", PROFILE)),
    }
    assert "tensorflow" not in sys.modules
    print(json.dumps(results))


def main():
    import keras

    from keras_workshop.movielens import load_movielens, user_item_fields

    from keras_workshop.recommenders import (

        MultinomialLikelihood,

        RecommendTables,

        TOPK_METRICS,

        denoising_recommender,

        ease_model,

        ease_scores,

        ease_weights,

        edlae_weights,

        item_item_model,

        item_knn_scores,

        most_popular_scores,

        recommend_signatures,

        score_blend_model,

        top_k,

        topk_metrics,

        topk_split,

        two_tower_model,

    )
    from keras_workshop.runtime import array_batches, batches_per_epoch, set_deterministic
    from keras_workshop.serving import export_for_serving

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)  # about where the recipe's validation stops
    parser.add_argument("--tower-epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    set_deterministic(0)
    data = load_movielens()
    vocabulary, user_fields, item_fields = user_item_fields(data)
    items = len(data.item_ids)

    def denoising(seen, keep=None):
        model = denoising_recommender(items, rate=0.5, hidden=600, l2=1e-3, normalise=True)
        model.compile(keras.optimizers.Adam(1e-3), MultinomialLikelihood())
        bags = seen.toarray().astype(np.float32)
        model.fit(array_batches([bags, bags], 128, shuffle_seed=0), epochs=args.epochs,
                  steps_per_epoch=batches_per_epoch(len(bags), 128), verbose=0)
        if keep is not None:
            keep.append(model)
        return model.predict(bags, verbose=0)

    def towers(seen, keep=None):
        model = two_tower_model(len(vocabulary), 4, item_fields, dim=64, rate=0.2, new_user_rate=0.1, seed=0)
        model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        users, chosen = seen.nonzero()
        model.fit(array_batches([user_fields[users], chosen.astype(np.int32)], 2048, shuffle_seed=0),
                  epochs=args.tower_epochs, steps_per_epoch=batches_per_epoch(len(chosen), 2048), verbose=0)
        if keep is not None:
            keep.append(model)
        return model.predict(user_fields, verbose=0)

    kept_towers, kept_denoising = [], []
    models = {
        "most popular": most_popular_scores, "item-kNN": item_knn_scores, "EASE (NumPy)": ease_scores,
        "EASE as a Dense layer": lambda seen: ease_model(seen).predict(seen.toarray().astype(np.float32), verbose=0),
        "denoising (Mult-DAE)": lambda seen: denoising(seen, kept_denoising), "two towers": lambda seen: towers(seen, kept_towers),
    }
    report, seconds = {name: [] for name in models}, {name: [] for name in models}
    for seed in args.seeds:
        split = topk_split(data, seed=seed)
        for name, fit in models.items():
            start = time.perf_counter()
            scores = fit(split.seen_before_test)
            seconds[name].append(time.perf_counter() - start)
            report[name].append(topk_metrics(scores, split.test, split.seen_before_test))
        print(f"seed {seed}: " + "; ".join(f"{n} {r[-1]['ndcg']:.4f}" for n, r in report.items()), flush=True)

    print(f"\nRecBole protocol, seeds {args.seeds}: NDCG@10 per seed, mean of each metric, seconds to fit per seed")
    print(f"{'':<24}" + "".join(f"{'seed ' + str(s):>9}" for s in args.seeds)
          + "".join(f"{m + '@10':>13}" for m in TOPK_METRICS) + f"{'s/seed':>9}{'/EASE':>8}")
    ease_seconds = np.mean(seconds["EASE (NumPy)"])
    for name, rows in report.items():
        print(f"{name:<24}" + "".join(f"{row['ndcg']:>9.4f}" for row in rows)
              + "".join(f"{np.mean([row[m] for row in rows]):>13.4f}" for m in TOPK_METRICS)
              + f"{np.mean(seconds[name]):>9.2f}{np.mean(seconds[name]) / ease_seconds:>8.1f}")

    seen = split.seen_before_test
    tables = RecommendTables(data, seen, vocabulary)
    ease = ease_model(seen)
    blend = score_blend_model([item_item_model(edlae_weights(seen, 0.5, 200.0)), kept_denoising[-1]], [1.0, 0.8])
    profile = {key: value for key, value in PROFILE.items() if key != "k"}
    weights, bag = ease_weights(seen), seen[0].toarray()
    numpy_p50 = p50_ms(lambda: top_k(bag @ weights, bag > 0, 10))
    for name, bag_model in (("EASE", ease), ("the recipe's blend (EDLAE + 0.8 Mult-DAE)", blend)):
        signatures = recommend_signatures(bag_model, kept_towers[-1], tables, ["1"], profile)
        with tempfile.TemporaryDirectory() as base:
            path = export_for_serving(bag_model, "movie_recommendations", base, signatures=signatures,
                                      resources=[tables, kept_towers[-1]])
            child = subprocess.run([sys.executable, __file__, "--served", path], capture_output=True, text=True,
                                   check=True)
        cpp = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"\nserved top-10 by {name}, p50 ms (C++ loader, one request): recommend {cpp['recommend']:.3f}, "
              f"recommend_for_profile {cpp['recommend_for_profile']:.3f}; NumPy EASE bag @ B and top_k in this "
              f"process {numpy_p50:.3f} (served / NumPy {cpp['recommend'] / numpy_p50:.2f})")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--served":
        served(sys.argv[2])
    else:
        main()
