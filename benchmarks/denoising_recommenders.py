"""Benchmark: denoising recommenders of the slides' parts under two losses of the same value, on validation.

On RecBole's protocol (`topk_split`, one seed): each model reads a user's bag of training movies
and is measured every 10 epochs by validation NDCG@10 (the training movies left out of the
ranking), next to "most popular" and EASE (λ = 400) in the same run, as ratios to EASE. The
models (`denoising_recommender`): the slides' `Dropout(0.5) -> Dense(1664)`, and Mult-DAE's shape,
the bag L2-normalised -> `Dropout(0.5)` -> `Dense(hidden, tanh)` -> `Dense(1664)` with L2 1e-3 on
the kernels. Each is trained with Keras' `CategoricalCrossentropy(from_logits=True)` and with
`MultinomialLikelihood`: the same loss value on a bag, but Keras' gradient is that of a target
summing to 1. Adam 1e-3, batches of 128, seed 42.

Run: python benchmarks/denoising_recommenders.py [--seed 0] [--epochs 60] [--hidden 600]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()

import keras  # noqa: E402

from keras_workshop.movielens import load_movielens  # noqa: E402
from keras_workshop.recommenders import (  # noqa: E402
    MultinomialLikelihood,
    denoising_recommender,
    ease_scores,
    most_popular_scores,
    topk_metrics,
    topk_split,
)
from keras_workshop.runtime import positive_int  # noqa: E402

EVERY = 10  # epochs between two validation measures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    parser.add_argument("--epochs", type=positive_int, default=60, help="epochs of each model (default 60)")
    parser.add_argument("--hidden", type=positive_int, default=600, help="Mult-DAE's hidden size (default 600)")
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
    print(f"{'model, loss':<60}" + "".join(f"{f'ep {e}':>8}" for e in range(EVERY, args.epochs + 1, EVERY))
          + f"{'best / EASE':>13}{'s':>7}")
    shapes = {"Dropout -> Dense": {}, f"Mult-DAE, Dense({args.hidden}, tanh)": dict(hidden=args.hidden, l2=1e-3,
                                                                                   normalise=True)}
    losses = {"Keras CategoricalCrossentropy": lambda: keras.losses.CategoricalCrossentropy(from_logits=True),
              "MultinomialLikelihood": MultinomialLikelihood}
    for shape, options in shapes.items():
        for loss_name, loss in losses.items():
            keras.utils.set_random_seed(42)
            model = denoising_recommender(items, rate=0.5, **options)
            model.compile(keras.optimizers.Adam(1e-3), loss())
            start, measured = time.perf_counter(), []
            for _ in range(args.epochs // EVERY):
                model.fit(train, train, batch_size=128, epochs=EVERY, verbose=0)
                measured.append(ndcg(model.predict(train, verbose=0)))
            print(f"{shape + ', ' + loss_name:<60}" + "".join(f"{value:>8.4f}" for value in measured)
                  + f"{max(measured) / ease:>13.3f}{time.perf_counter() - start:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
