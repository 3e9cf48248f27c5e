"""Trains one small model (dropout off) on a chosen strategy and saves its weights: for the runtime tests.

Run: python tests/runtime/train_worker.py {mlp,slide,skipgram,all} {none,mirrored,multiworker} OUT.npz [EPOCHS]
(TF_CONFIG from the environment for multiworker). Two logical CPU devices for mirrored.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_workshop import runtime  # noqa: E402


def train(model_name: str, strategy, epochs: int = 2):
    rng = np.random.default_rng(0)
    with strategy.scope():
        if model_name == "mlp":
            from keras_workshop.dropout import dropout_mlp, noisy_digits
            from keras_workshop.runtime import array_batches

            split = noisy_digits(noisy_labels=0, seed=0, validation_split=0)
            model = dropout_mlp(64, (32, 16), 10, rate=0.0)
            model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
            done = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(f"epoch {epoch + 1} done",
                                                                                         flush=True))
            model.fit(array_batches((split.train.x[:1280], split.train.y[:1280]), 64, shuffle_seed=0),
                      epochs=epochs, steps_per_epoch=1280 // 64, verbose=0, callbacks=[done])
        elif model_name == "slide":
            from keras_workshop.recommenders import slide_rating_model
            from tests.trainings import train_ratings

            rows = rng.integers(0, 50, size=(512, 3)).astype("int32")
            ratings = rng.integers(1, 6, size=512).astype("float32")
            model = slide_rating_model(50, 3, dim=4, hidden=8, rate=0.0)
            train_ratings(model, rows, ratings, (rows[:64], ratings[:64]), epochs=2, batch_size=64)
        else:
            from keras_workshop.embeddings import Vocabulary
            from tests.trainings import train_skipgram

            words = [f"w{i}" for i in rng.zipf(1.5, size=3000) % 40]
            model = train_skipgram([words], Vocabulary.from_tokens(words), epochs=2, dim=8, batch_size=64,
                                   group_size=8, sample=0, batches_per_step=1, seed=0)
    return [np.asarray(weight) for weight in model.get_weights()]


if __name__ == "__main__":
    model_name, strategy_name, out = sys.argv[1:4]
    device = runtime.select_device("cpu", cpu_replicas=2 if strategy_name == "mirrored" else 1)
    runtime.set_deterministic(0)
    strategy = runtime.make_strategy(strategy_name, device)
    names = ["mlp", "slide", "skipgram"] if model_name == "all" else [model_name]
    weights = {f"{name}_{i}": weight for name in names
               for i, weight in enumerate(train(name, strategy, *map(int, sys.argv[4:5])))}
    if runtime.is_chief(strategy):
        np.savez(out, **weights)
    print(f"replicas {strategy.num_replicas_in_sync}, chief {runtime.is_chief(strategy)}", flush=True)
