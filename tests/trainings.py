"""Small trainings the tests share, written as the recipes write them: dataset, model, `compile`, `model.fit`."""

import inspect

import keras

from keras_workshop import runtime
from keras_workshop.recommenders import ratings_dataset
from keras_workshop.word2vec import compile_skipgram, skipgram_dataset, skipgram_model


def with_backup(callbacks, backup_dir):
    """`(callbacks + [EpochBackup], first epoch)` when `backup_dir` is given, else `(callbacks, 0)`."""
    if backup_dir is None:
        return list(callbacks), 0
    backup = runtime.EpochBackup(backup_dir, callbacks)
    return [*callbacks, backup], backup.initial_epoch


def train_skipgram(documents, vocabulary, epochs, dim=8, callbacks=(), backup_dir=None, split_batch=None, **pipeline):
    """Skip-gram vectors as `recipes/word_embeddings.py` trains them; `pipeline`: `skipgram_dataset`'s options."""
    callbacks, first_epoch = with_backup(callbacks, backup_dir)
    defaults = {name: parameter.default for name, parameter in inspect.signature(skipgram_dataset).parameters.items()}
    settings = {**defaults, **pipeline}  # the pipeline's own defaults, never a second copy of them
    dataset, steps_per_epoch = skipgram_dataset(documents, vocabulary, first_epoch=first_epoch, **pipeline)
    model = skipgram_model(len(vocabulary), dim, settings["negatives"], settings["group_size"])
    compile_skipgram(model, settings["batch_size"], steps_per_epoch, epochs, settings["batches_per_step"],
                     split_batch=split_batch)
    model.fit(dataset, epochs=epochs, initial_epoch=first_epoch, steps_per_epoch=steps_per_epoch, shuffle=False,
              verbose=0, callbacks=callbacks)
    return model


def train_ratings(model, rows, ratings, validation, epochs, batch_size=64, patience=None, seed=0, backup_dir=None):
    """A rating model as `recipes/movie_ratings.py` trains it: Adam, MSE, early stopping on `validation` if `patience`."""
    model.compile(keras.optimizers.Adam(1e-3), "mse", metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
    stopping = [] if patience is None else [
        keras.callbacks.EarlyStopping("val_rmse", patience=patience, restore_best_weights=True)]
    callbacks, first_epoch = with_backup(stopping, backup_dir)
    return model.fit(
        ratings_dataset(rows, ratings, batch_size, shuffle_seed=seed, first_epoch=first_epoch),
        validation_data=ratings_dataset(*validation, batch_size=4096),
        epochs=epochs, initial_epoch=first_epoch, steps_per_epoch=runtime.batches_per_epoch(len(rows), batch_size),
        shuffle=False, verbose=0, callbacks=callbacks,
    )
