"""
Title: Word embeddings: watching semantic distance appear
Description: The slide's Embedding layer trained as skip-gram word vectors on a real
corpus, with the cosine neighbours of probe words logged while it learns, scored against
human similarity judgements, drawn as a 2-D map, and exported for TF Serving.

The slides say an embedding metric "can capture semantic distance" and show a 2-D map of
word vectors where similar words sit together. Here the word vectors are the slide's
`Embedding(output_dim=d, input_dim=n, input_length=1)`, trained by skip-gram with negative
sampling on the English Wikipedia excerpt that ships inside the gensim wheel (or any text
file given with `--corpus`, in any script: words are Unicode words).

Outputs in `--out`: `neighbours.jsonl` (probe neighbours and WordSim-353 / SimLex-999
Spearman per epoch), TensorBoard logs with the neighbour tables and a projector
(`tensorboard --logdir <out>/tensorboard`), `word_map_tsne.{png,svg}` and
`word_map_pca.{png,svg}`; the vectors are exported to `saved_models/word_embeddings/<version>/`
with symbol-in, symbol-out `neighbours_symbols`.

Run: python recipes/word_embeddings.py [--epochs 10] [--dim 100] [--window 5] [--negatives 5]
     [--batch-size 2048] [--group-size 32] [--batches-per-step 8] [--seed 42] [--corpus FILE [--encoding utf-8]]
     [--out runs/word_embeddings] [--resume]
"""

import os

from keras_workshop.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()  # before Keras: TensorFlow's C++ start-up lines stay off the screen

from keras_workshop import slides
from keras_workshop.embeddings import CosineNeighbours, Vocabulary, write_projector
from keras_workshop.plots import plot_embedding_map
from keras_workshop.runtime import positive_float, positive_int, recipe_settings, start_runtime
from keras_workshop.serving import export_for_serving
from keras_workshop.word2vec import (
    compile_skipgram,
    read_text,
    similarity_spearman,
    skipgram_dataset,
    skipgram_model,
    text_words,
    wikipedia_excerpt,
)

"""
## Settings

In a notebook, edit them here; as a script, the command line overrides them (`--help`).
"""

CORPUS: str = None  # a text file, one document per line (gzip, bz2 or xz too); None: the Wikipedia excerpt
ENCODING: str = "utf-8"  # the corpus file's text encoding
EPOCHS: positive_int = 10  # passes over the corpus
DIM: positive_int = 100  # embedding size d
WINDOW: positive_int = 5  # context words on each side
NEGATIVES: positive_int = 5  # negative samples per pair
BATCH_SIZE: positive_int = 2048  # pairs per update
GROUP_SIZE: positive_int = 32  # pairs that share one draw of negatives
BATCHES_PER_STEP: positive_int = 8  # updates per compiled training step
MIN_COUNT: positive_int = 2  # words seen fewer times are dropped
LEARNING_RATE: positive_float = 0.05  # per-pair rate, as gensim's alpha
PROBES: str = "france,film,language,philosophy,war,government,river,water"  # words whose neighbours are logged

args, parser = recipe_settings(globals(), "Skip-gram word vectors on a real corpus.", out="runs/word_embeddings")
if args.batch_size % args.group_size:
    parser.error(f"--batch-size {args.batch_size} must be a multiple of --group-size {args.group_size}")

# XLA compiles the skip-gram step; XLA on CPU is repeatable, so the same seed gives the same vectors.
runtime = start_runtime(args, parser, global_batch=args.batch_size, op_determinism=False)

"""
## Symbols to ids

Words seen at least `--min-count` times, most frequent first.
"""

try:
    documents = read_text(args.corpus, encoding=args.encoding) if args.corpus else wikipedia_excerpt()
except (OSError, ValueError) as error:  # missing, unreadable, not text in --encoding
    parser.error(str(error))
try:
    vocabulary = Vocabulary.from_tokens((word for document in documents for word in document), min_count=args.min_count)
except ValueError as error:  # --min-count above every count
    parser.error(f"--min-count {args.min_count}: {error}")
print(f"{len(documents)} documents, {sum(map(len, documents))} tokens, {len(vocabulary)} words in the vocabulary")
probes = [word for probe in args.probes.split(",") for word in text_words(probe) if word in vocabulary]
if not probes:
    raise SystemExit(f"None of the probes {args.probes!r} is in the vocabulary; pass --probes.")

"""
## Skip-gram: fresh pairs every epoch, the slide's Embedding as word vectors

The pairs (`skipgram_dataset`): frequent words are subsampled, each word sees a random window
of up to `--window` words on each side, and each true pair is scored against `--negatives`
noise words drawn from the unigram^0.75 distribution; the pairs of a group of `--group-size`
share one draw, so a step gathers about 2.2 rows per pair instead of 7 (`--group-size 1`: a
draw for every pair). All with vectorised tf.data ops. Each element stacks
`--batches-per-step` batches, which the training step applies one after another inside one
compiled loop.

The model (`skipgram_model`, `compile_skipgram`): the slide's Embedding holds the word
vectors. Plain SGD keeps the embedding gradients sparse; its rate is gensim's per-pair rate
times the number of terms the loss averages over, decaying linearly as in word2vec. XLA
compiles the step, and one compiled call runs a whole epoch (`steps_per_epoch` steps).
"""


def evaluate(weights):
    return {name: similarity_spearman(weights, vocabulary, name)[0] for name in ("wordsim353", "simlex999")}


neighbours = CosineNeighbours(
    "word_vectors",
    vocabulary,
    probes,
    k=5,
    log_path=os.path.join(runtime.out, "neighbours.jsonl"),
    tensorboard_dir=os.path.join(runtime.out, "tensorboard"),
    evaluate=evaluate,
)
# Under several replicas each step's batch is split across them, so one batch per step.
batches_per_step = args.batches_per_step if runtime.replicas == 1 else 1
first_epoch = runtime.first_epoch("skipgram")  # 0, or with --resume the epoch it resumes at
dataset, steps_per_epoch = skipgram_dataset(
    documents,
    vocabulary,
    window=args.window,
    negatives=args.negatives,
    batch_size=args.batch_size,
    group_size=args.group_size,
    batches_per_step=batches_per_step,
    seed=args.seed,
    first_epoch=first_epoch,
)
with runtime.strategy.scope():
    model = skipgram_model(len(vocabulary), args.dim, args.negatives, args.group_size)
    compile_skipgram(model, args.batch_size, steps_per_epoch, args.epochs, batches_per_step, args.learning_rate)
model.summary()
model.fit(
    dataset,
    epochs=args.epochs,
    initial_epoch=first_epoch,
    steps_per_epoch=steps_per_epoch,
    shuffle=False,  # the stream draws new pairs, in a new order, every epoch
    verbose=runtime.verbose,
    callbacks=[neighbours, *runtime.backups("skipgram", [neighbours])],
)

"""
## Example word vectors: a 2-D map

The slides' figure: the most frequent words placed by t-SNE (and by PCA), similar words
together.
"""

weights = model.get_layer("word_vectors").embeddings.numpy()
written = []
for method in ("tsne", "pca"):
    written += plot_embedding_map(weights, vocabulary.symbols, os.path.join(runtime.out, f"word_map_{method}"), method=method, seed=args.seed)
written += write_projector(weights, vocabulary.symbols, os.path.join(runtime.out, "tensorboard"))

"""
## Export

The vectors alone, as the slide's model (`Embedding(output_dim=d, input_dim=n, input_length=1)`),
with the vocabulary inside the served graph: clients send words and get words back.
"""

served = slides.Sequential(name="word_embeddings")
served.add(slides.Embedding(output_dim=args.dim, input_dim=len(vocabulary), input_length=1, weights=[weights]))
written.append(
    export_for_serving(served, "word_embeddings", base_dir=runtime.saved_models, output_name="vectors", vocabulary=vocabulary)
)
print("Wrote", *written, os.path.join(runtime.out, "neighbours.jsonl"), sep="\n  ")
