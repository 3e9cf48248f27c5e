"""
Title: Embeddings 101: from symbols to vectors
Description: The Embeddings slides, claim by claim: one-hot vectors, the Embedding
layer as one-hot times W, euclidean distance and cosine similarity.

Each section follows a slide and prints what the slide says next to what Keras
computes. At the end it writes `claims.json` (every claim with its measured value)
and `cosine_histograms.png` (random-pair cosines per embedding size) to `--out`,
and exports the course-lab Embedding model to `saved_models/embedding_lab/<version>/`.

Run: python recipes/embeddings_101.py [--out runs/embeddings_101] [--seed 42]
"""

import json
import math
import os

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

import keras
import numpy as np
import tensorflow as tf

from keras_workshop.embeddings import Vocabulary, cosine_similarity, euclidean_distance, onehot
from keras_workshop.runtime import positive_int, recipe_settings, start_runtime
from keras_workshop.serving import export_for_serving
from keras_workshop.plots import plot_cosine_histograms
from keras_workshop.slides import Embedding, Sequential

"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

PAIRS: positive_int = 5000  # random pairs per dimension, for the spread of cosines

args, parser = recipe_settings(globals(), "The Embeddings slides, claim by claim.", out="runs/embeddings_101",
                               resume=False)

runtime = start_runtime(args, parser, global_batch=None)
claims = []


def report(slide: str, claim: str, expected, measured, holds: bool) -> None:
    """Prints one claim next to its measured value and keeps it for claims.json."""
    mark = "ok  " if holds else "FAIL"
    print(f"[{mark}] {claim}\n       slide: {expected}\n       keras: {measured}")
    claims.append(
        dict(slide=slide, claim=claim, expected=str(expected), measured=str(measured), holds=bool(holds))
    )


"""
## One-hot representation

A symbol `s` in a vocabulary `V` becomes a vector of `|V|` zeros with a single 1.
"""

print("\n## One-hot representation")
vocabulary = Vocabulary(["tomato", "bread", "salad", "cheese", "olive", "pasta", "wine", "soup"])
salad = onehot("salad", vocabulary)
report(
    "One-hot representation",
    "onehot('salad') is in {0, 1}^|V| with a single 1",
    "[0, 0, 1, ..., 0]",
    salad.astype(int).tolist(),
    set(salad.tolist()) == {0.0, 1.0} and salad.sum() == 1 and salad[2] == 1,
)
all_onehots = vocabulary.onehot(vocabulary.symbols)
pairwise = euclidean_distance(all_onehots[:, None, :], all_onehots[None, :, :])
distinct = pairwise[~np.eye(len(vocabulary), dtype=bool)]
report(
    "One-hot representation",
    "distinct symbols are equidistant",
    f"sqrt(2) = {math.sqrt(2):.7f}",
    f"min {distinct.min():.7f}, max {distinct.max():.7f} over {distinct.size} pairs",
    np.allclose(distinct, math.sqrt(2), atol=1e-6),
)

"""
## Embedding: Implementation with Keras

The slide's layer, in the slide's own (Keras 1) spelling: a batch of integers in,
a batch of float vectors out.
"""

print("\n## Embedding layer")
n, d = 10, 4
model = Sequential()
model.add(Embedding(output_dim=d, input_dim=n, input_length=1))
batch = np.array([[3], [7], [3]])
vectors = model.predict(batch, verbose=0)
report(
    "Implementation with Keras",
    "a batch of integers in, a batch of float vectors out",
    f"input int, shape {batch.shape} -> float, shape (3, 1, {d})",
    f"input {batch.dtype}, shape {batch.shape} -> {vectors.dtype}, shape {vectors.shape}",
    vectors.shape == (3, 1, d) and vectors.dtype == np.float32,
)
report(
    "Implementation with Keras",
    "W is an n x d matrix of trainable parameters",
    f"n * d = {n * d} trainable parameters",
    f"{sum(int(np.prod(w.shape)) for w in model.trainable_weights)} trainable parameters",
    model.count_params() == n * d and len(model.trainable_weights) == 1,
)

"""
## embedding(x) = onehot(x) . W

The course lab loads `W = arange(40).reshape(10, 4)` with `weights=[W]`.
"""

print("\n## embedding(x) = onehot(x) . W")
W = np.arange(40, dtype="float32").reshape(n, d)
with runtime.strategy.scope():  # its variable lives where `--strategy` puts model variables
    lab_model = Sequential()
    lab_model.add(Embedding(output_dim=d, input_dim=n, input_length=1, weights=[W]))
ids = np.arange(n).reshape(-1, 1)
looked_up = lab_model.predict(ids, verbose=0)[:, 0, :]
product = keras.ops.convert_to_numpy(keras.ops.one_hot(ids[:, 0], n)) @ W
report(
    "Implementation with Keras",
    "Embedding(x) equals onehot(x) . W (W = arange(40).reshape(10, 4))",
    "max |embedding - onehot . W| = 0",
    f"max |embedding - onehot . W| = {np.abs(looked_up - product).max()}",
    np.allclose(looked_up, product, atol=1e-6),
)

embedding = lab_model.layers[0]
batch_ids = tf.constant([[1], [5], [5]])
target = tf.random.stateless_normal((3, 1, d), seed=(args.seed, 0))


def gradient_of_lookup():
    with tf.GradientTape() as tape:
        lookup_loss = tf.reduce_sum(embedding(batch_ids) * target)
    return tf.convert_to_tensor(tape.gradient(lookup_loss, embedding.embeddings))


# Taken in a replica (one device's copy of W), as `fit` does under any `--strategy`.
strategy = runtime.strategy
lookup_gradient = strategy.experimental_local_results(strategy.run(gradient_of_lookup))[0]
W_tensor = tf.constant(W)
with tf.GradientTape() as tape:
    tape.watch(W_tensor)
    product_loss = tf.reduce_sum((tf.one_hot(batch_ids, n) @ W_tensor) * target)
product_gradient = tape.gradient(product_loss, W_tensor)
report(
    "Implementation with Keras",
    "W is tuned by backprop: the gradient is the one-hot product's",
    "d loss / d W of Embedding == of onehot(x) . W",
    f"max difference {np.abs(np.asarray(lookup_gradient) - np.asarray(product_gradient)).max():.2e}",
    np.allclose(lookup_gradient, product_gradient, atol=1e-6),
)
stepped = keras.Variable(W)  # a copy: the lab model keeps W for its export below
strategy.run(keras.optimizers.SGD(learning_rate=0.1).apply, args=([lookup_gradient], [stepped]))  # in a replica too
changed = np.nonzero(np.any(keras.ops.convert_to_numpy(stepped) != W, axis=1))[0]
report(
    "Implementation with Keras",
    "one SGD step changes only the rows that were looked up",
    "rows [1, 5] change",
    f"rows {changed.tolist()} change",
    changed.tolist() == [1, 5],
)

"""
## Distance and similarity in embedding space

Euclidean distance depends on the norm; cosine similarity does not.
"""

print("\n## Distance and similarity")
generator = np.random.default_rng(args.seed)
x, y = generator.standard_normal((2, 32)).astype("float32")
report(
    "Distance and similarity",
    "euclidean depends on the norm, cosine does not (y rescaled by 10)",
    "d(x, 10y) != d(x, y); cosine(x, 10y) == cosine(x, y)",
    f"d: {euclidean_distance(x, y):.3f} -> {euclidean_distance(x, 10 * y):.3f}; "
    f"cosine: {cosine_similarity(x, y):.5f} -> {cosine_similarity(x, 10 * y):.5f}",
    not np.isclose(euclidean_distance(x, y), euclidean_distance(x, 10 * y))
    and np.isclose(cosine_similarity(x, y), cosine_similarity(x, 10 * y), atol=1e-6),
)

initializer = keras.layers.Embedding(1, 1).embeddings_initializer
print(f"Random vectors drawn like a fresh Keras Embedding: {type(initializer).__name__}{initializer.get_config()}")
cosines = {}
for dim in [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]:
    # A seeded initializer returns the same values on every call: draw once, split in two.
    draw = type(initializer).from_config(initializer.get_config() | {"seed": args.seed + dim})
    first, second = np.split(np.asarray(draw((2 * PAIRS, dim))), 2)
    cosines[dim] = np.asarray(cosine_similarity(first, second))
every = np.concatenate(list(cosines.values()))
report(
    "Distance and similarity",
    "cosine is in [-1, 1]",
    "-1 <= cosine <= 1",
    f"min {every.min():+.4f}, max {every.max():+.4f} over {every.size} pairs",
    every.min() >= -1 and every.max() <= 1,
)
for dim, values in cosines.items():
    standard_error = values.std() / math.sqrt(values.size)
    report(
        "Distance and similarity",
        f"expected cosine of random pairs is 0 (d = {dim})",
        f"mean 0, std 1/sqrt(d) = {1 / math.sqrt(dim):.4f}",
        f"mean {values.mean():+.4f} (standard error {standard_error:.4f}), std {values.std():.4f}",
        abs(values.mean()) < 4 * standard_error
        and abs(values.std() * math.sqrt(dim) - 1) < 0.05,
    )

units = generator.standard_normal((1000, 2, 64))
units /= np.linalg.norm(units, axis=-1, keepdims=True)
squared = euclidean_distance(units[:, 0], units[:, 1]) ** 2
identity_gap = np.abs(squared - 2 * (1 - cosine_similarity(units[:, 0], units[:, 1]))).max()
report(
    "Distance and similarity",
    "for unit vectors ||x - y||^2 = 2 (1 - cosine(x, y))",
    "difference 0",
    f"max difference {identity_gap:.2e} over 1000 pairs",
    identity_gap < 1e-5,
)

"""
## Example word vectors

The slides show a 2-D map of learned word vectors; `recipes/word_embeddings.py`
trains word vectors on a real corpus and draws that map.

## Outputs
"""

# The lab model, exported in TF Serving's layout (<name>/<version>/); its graph keeps the id check.
export_path = export_for_serving(lab_model, "embedding_lab", base_dir=runtime.saved_models, output_name="vectors")

histogram = plot_cosine_histograms(cosines, os.path.join(runtime.out, "cosine_histograms.png"))
claims_path = os.path.join(runtime.out, "claims.json")
with open(claims_path, "w") as file:
    json.dump(claims, file, indent=2)
held = sum(claim["holds"] for claim in claims)
print(f"\n{held} of {len(claims)} claims hold.")
print(f"Wrote {histogram}\nWrote {claims_path}\nExported {export_path}")
if held < len(claims):  # a script exits 1, a notebook shows the error
    raise SystemExit(f"{len(claims) - held} of the slides' claims do not hold here: see [FAIL] above.")
