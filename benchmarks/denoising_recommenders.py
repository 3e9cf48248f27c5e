"""Benchmark: denoising recommenders of the slides' parts, with and without a hidden layer, on validation.

On RecBole's protocol (`topk_split`, one seed): each model reads a user's bag of training movies
and is measured every 10 epochs by validation NDCG@10 (the training movies left out of the
ranking), next to "most popular" and EASE (λ = 400) in the same run, as ratios to EASE. The
models: the recipe's `Dropout(0.5) -> Dense(1664)`; the same after the bag is L2-normalised
(`UnitNormalization`); and Mult-DAE's shape, `Dropout(0.5) -> Dense(hidden, tanh) -> Dense(1664)`
on the normalised bag, with L2 1e-4 on the kernels. All: the multinomial likelihood
(`CategoricalCrossentropy(from_logits=True)`), Adam 1e-3, batches of 64, seed 42.

Run: python benchmarks/denoising_recommenders.py [--seed 0] [--epochs 60] [--hidden 600 200]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()

import keras  # noqa: E402

from keras_workshop.movielens import load_movielens  # noqa: E402
from keras_workshop.recommenders import ease_scores, most_popular_scores, topk_metrics, topk_split  # noqa: E402
from keras_workshop.runtime import positive_int  # noqa: E402

EVERY = 10  # epochs between two validation measures


def models(items: int, hidden_sizes) -> dict:
    """name -> a function building the model (each from the same seed)."""
    layers = keras.layers

    def mult_dae(hidden):
        l2 = keras.regularizers.L2(1e-4)
        return [layers.UnitNormalization(), layers.Dropout(0.5),
                layers.Dense(hidden, activation="tanh", kernel_regularizer=l2), layers.Dense(items, kernel_regularizer=l2)]

    built = {"Dropout -> Dense (the recipe's)": lambda: [layers.Dropout(0.5), layers.Dense(items)],
             "normalised bag, Dropout -> Dense": lambda: [layers.UnitNormalization(), layers.Dropout(0.5),
                                                          layers.Dense(items)]}
    for hidden in hidden_sizes:
        built[f"Mult-DAE, Dense({hidden}, tanh), L2 1e-4"] = lambda hidden=hidden: mult_dae(hidden)
    return built


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    parser.add_argument("--epochs", type=positive_int, default=60, help="epochs of each model (default 60)")
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=[600, 200], help="Mult-DAE's hidden sizes")
    args = parser.parse_args()
    data = load_movielens()
    split = topk_split(data, seed=args.seed)
    train = split.train.toarray().astype("float32")
    items = train.shape[1]

    def ndcg(scores):
        return topk_metrics(scores, split.valid, split.train)["ndcg"]

    ease = ndcg(ease_scores(split.train, 400.0))
    print(f"split seed {args.seed}, validation NDCG@10: most popular {ndcg(most_popular_scores(split.train)):.4f}, "
          f"EASE {ease:.4f}")
    print(f"{'model':<40}" + "".join(f"{f'ep {e}':>8}" for e in range(EVERY, args.epochs + 1, EVERY))
          + f"{'best / EASE':>13}{'s':>7}")
    for name, build in models(items, args.hidden).items():
        keras.utils.set_random_seed(42)
        model = keras.Sequential([keras.Input((items,)), *build()])
        model.compile(keras.optimizers.Adam(1e-3), keras.losses.CategoricalCrossentropy(from_logits=True))
        start, measured = time.perf_counter(), []
        for _ in range(args.epochs // EVERY):
            model.fit(train, train, batch_size=64, epochs=EVERY, verbose=0)
            measured.append(ndcg(model.predict(train, verbose=0)))
        print(f"{name:<40}" + "".join(f"{value:>8.4f}" for value in measured)
              + f"{max(measured) / ease:>13.3f}{time.perf_counter() - start:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
