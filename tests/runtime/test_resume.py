"""Resuming after an interruption: the same weights, curves and logs, bit for bit, as without one."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import runtime
from keras_workshop.dropout import (
    SideBySideCrossEntropy,
    dropout_mlp,
    member_cross_entropies,
    noisy_digits,
    side_by_side_model,
)
from keras_workshop.embeddings import CosineNeighbours, Vocabulary
from keras_workshop.recommenders import slide_rating_model
from tests.trainings import train_ratings, train_skipgram


class Interrupted(Exception):
    pass


def interrupt_after_commit(monkeypatch, epoch):
    """Makes the backup of `epoch` the last thing the run does, like a kill right after it."""
    save = runtime.EpochStore.save

    def saving(store, done, *args, **kwargs):
        save(store, done, *args, **kwargs)
        if done == epoch:
            raise Interrupted

    monkeypatch.setattr(runtime.EpochStore, "save", saving)


def interrupt_while_writing(monkeypatch, epoch):
    """A kill while the backup of `epoch` is being written, before it is committed."""
    save = runtime.EpochStore.save

    def saving(store, done, meta, arrays, write_weights=None):
        if done == epoch:
            def half_written(path):
                with open(path, "wb") as file:
                    file.write(b"\x89HDF\r\n")  # a cut weights file
                raise Interrupted
            return save(store, done, meta, arrays, half_written)
        return save(store, done, meta, arrays, write_weights)

    monkeypatch.setattr(runtime.EpochStore, "save", saving)


def same_arrays(first, second):
    return len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))


def ratings_run(folder, patience):
    runtime.set_deterministic(0)
    runtime.check_backup_settings(folder, {"run": "ratings"})
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 50, (2000, 4)).astype("int32")
    signal = 1 + rows[:, 0] % 5 if patience is None else 3  # noise alone: early stopping ends it soon
    ratings = np.clip(signal + rng.normal(0, 1.0, 2000), 1, 5).astype("float32")
    model = slide_rating_model(50, 4, dim=4, hidden=16, rate=0.5, mean_rating=3.0)
    history = train_ratings(model, rows[:1800], ratings[:1800], (rows[1800:], ratings[1800:]), epochs=14,
                            batch_size=64, patience=patience, seed=3, backup_dir=os.path.join(folder, "ratings"))
    return model.get_weights(), history.history


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """patience -> `(weights, history)` of `ratings_run` never interrupted: each computed once."""
    runs = {}

    def run(patience):
        if patience not in runs:
            runs[patience] = ratings_run(str(tmp_path_factory.mktemp("whole")), patience)
        return runs[patience]

    return run


@pytest.mark.parametrize("patience, stop", [(None, 1), (None, 7), (2, 2), (2, "last")])
@pytest.mark.parametrize("interrupt", [interrupt_after_commit, interrupt_while_writing])
def test_fit_resumes_bit_for_bit(tmp_path, monkeypatch, capsys, patience, stop, interrupt, uninterrupted):
    weights, history = uninterrupted(patience)
    epochs = len(history["loss"])
    if patience is not None:
        assert 2 < epochs < 14  # early stopping ended it: its state must survive too
    stop = epochs if stop == "last" else stop
    with monkeypatch.context() as patched:
        interrupt(patched, stop)
        with pytest.raises(Interrupted):
            ratings_run(str(tmp_path / "cut"), patience)
    capsys.readouterr()
    resumed_weights, resumed_history = ratings_run(str(tmp_path / "cut"), patience)
    done = stop if interrupt is interrupt_after_commit else stop - 1
    said = capsys.readouterr().out
    assert f"{done} epoch{'s' * (done != 1)} done" in said if done else "Resuming" not in said
    assert resumed_history == history  # every epoch once, the same numbers
    assert same_arrays(resumed_weights, weights)
    # Run again once finished: no epoch trained, the same end (early stopping's best weights too).
    again_weights, again_history = ratings_run(str(tmp_path / "cut"), patience)
    assert again_history == history and same_arrays(again_weights, weights)


def test_side_by_side_resumes_bit_for_bit(tmp_path, monkeypatch):
    """The lecture's curves as `recipes/dropout_curves.py` trains them: one model, one `fit`, its data from `first_epoch`."""
    split = noisy_digits(seed=0, validation_split=0)

    def run(folder):
        runtime.set_deterministic(0)
        backup = runtime.EpochBackup(folder)
        train = runtime.array_batches(split.train, 128, shuffle_seed=0, first_epoch=backup.initial_epoch)
        members = {f"p={p}": dropout_mlp(64, (32,), rate=p) for p in (0.0, 0.5)}
        model = side_by_side_model(members)
        model.compile(keras.optimizers.SGD(0.1), SideBySideCrossEntropy(), metrics=member_cross_entropies(members))
        history = model.fit(train, steps_per_epoch=runtime.batches_per_epoch(len(split.train.x), 128), epochs=5,
                            initial_epoch=backup.initial_epoch, validation_data=runtime.array_batches(split.test, 512), shuffle=False, verbose=0,
                            callbacks=[backup])
        return history.history, model.get_weights()

    curves, weights = run(str(tmp_path / "whole"))
    with monkeypatch.context() as patched:
        interrupt_after_commit(patched, 2)
        with pytest.raises(Interrupted):
            run(str(tmp_path / "cut"))
    resumed_curves, resumed_weights = run(str(tmp_path / "cut"))
    assert resumed_curves == curves and same_arrays(resumed_weights, weights)


def test_skipgram_and_neighbour_logs_resume_bit_for_bit(tmp_path, monkeypatch):
    documents = [[f"w{i % 40}" for i in range(j, j + 300)] for j in range(20)]
    vocabulary = Vocabulary.from_tokens([word for document in documents for word in document])

    def run(folder):
        runtime.set_deterministic(0)
        neighbours = CosineNeighbours("word_vectors", vocabulary, ["w1", "w2"], k=3, verbose=0,
                                      log_path=os.path.join(folder, "neighbours.jsonl"),
                                      tensorboard_dir=os.path.join(folder, "tensorboard"),
                                      evaluate=lambda weights: {"norm": float(np.linalg.norm(weights))})
        model = train_skipgram(documents, vocabulary, epochs=6, dim=8, batch_size=256, group_size=16, sample=0,
                               batches_per_step=2, callbacks=[neighbours],
                               backup_dir=os.path.join(folder, "backup", "skipgram"))
        return model.get_weights()

    weights = run(str(tmp_path / "whole"))
    with monkeypatch.context() as patched:
        interrupt_after_commit(patched, 3)
        with pytest.raises(Interrupted):
            run(str(tmp_path / "cut"))
    # The kill came after the log of epoch 4 was written but before its backup: it must not stay twice.
    resumed = run(str(tmp_path / "cut"))
    assert same_arrays(resumed, weights)
    whole, cut = (open(tmp_path / name / "neighbours.jsonl").read() for name in ("whole", "cut"))
    assert cut == whole and [json.loads(line)["epoch"] for line in cut.splitlines()] == list(range(7))
    assert scalars(tmp_path / "cut" / "tensorboard") == scalars(tmp_path / "whole" / "tensorboard")
    assert [step for step, _ in scalars(tmp_path / "cut" / "tensorboard")["scores/norm"]] == list(range(7))


def scalars(logdir):
    """tag -> [(step, value)] of every scalar summary in `logdir` as TensorBoard shows it, in step order.

    Read by the loader TensorBoard's server uses: what a resumed run's `SessionLog.START` marks orphaned is not shown.
    """
    from tensorboard.backend.event_processing import plugin_event_accumulator as event_accumulator

    accumulator = event_accumulator.EventAccumulator(str(logdir), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return {tag: sorted((event.step, float(tf.make_ndarray(event.tensor_proto))) for event in accumulator.Tensors(tag))
            for tag in accumulator.Tags()["tensors"]
            if accumulator.SummaryMetadata(tag).plugin_data.plugin_name == "scalars"}


def test_other_settings_are_refused_by_name(tmp_path):
    runtime.check_backup_settings(str(tmp_path), {"epochs": 5, "seed": 1})
    runtime.check_backup_settings(str(tmp_path), {"epochs": 5, "seed": 1})  # the same: fine
    with pytest.raises(ValueError, match=r"epochs: 5 then, 9 now.*same command"):
        runtime.check_backup_settings(str(tmp_path), {"epochs": 9, "seed": 1})


def test_a_damaged_backup_is_a_clear_error(tmp_path):
    store = runtime.EpochStore(str(tmp_path))
    store.save(1, {"note": "x"}, {"a": np.arange(3)})
    assert store.load()["epoch"] == 1 and store.load()["note"] == "x"
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(ValueError, match="cannot be read.*Delete that folder"):
        store.load()
    with pytest.raises(ValueError, match="cannot be read.*Delete that folder"):
        runtime.EpochBackup(str(tmp_path)).initial_epoch  # where a resumed run's data would start


def test_a_backup_keeps_only_the_last_epoch(tmp_path):
    store = runtime.EpochStore(str(tmp_path))
    for epoch in (1, 2, 3):
        store.save(epoch, {}, {"a": np.full(2, epoch)}, write_weights=lambda path: open(path, "w").close())
    assert sorted(os.listdir(tmp_path)) == ["epoch-00003.npz", "epoch-00003.weights.h5", "state.json"]
    np.testing.assert_array_equal(store.load()["arrays"]["a"], [3, 3])


def test_each_epoch_order_is_a_function_of_the_seed_and_the_epoch():
    def orders(first_epoch, count):
        batches = runtime.array_batches([np.arange(50)], 50, shuffle_seed=7, first_epoch=first_epoch)
        return [rows.numpy().tolist() for rows, in batches.take(count)]

    assert orders(0, 5)[3:] == orders(3, 2)
    assert len({tuple(order) for order in orders(0, 5)}) == 5


def orders_of(first_epoch, count):
    batches = runtime.array_batches([np.arange(8, dtype="float32")[:, None], np.zeros(8)], 8, shuffle_seed=1,
                                    first_epoch=first_epoch)
    return [rows.numpy().ravel().tolist() for rows, _ in batches.take(count)]


def test_fit_goes_through_the_orders_and_a_backup_says_where_its_data_starts(tmp_path):
    seen = []

    class Record(keras.layers.Layer):
        def call(self, x, training=None):
            if training and tf.executing_eagerly():
                seen.append(np.asarray(x).ravel().tolist())
            return x

    def batches(first_epoch=0):
        return runtime.array_batches([np.arange(8, dtype="float32")[:, None], np.zeros(8)], 8, shuffle_seed=1,
                                     first_epoch=first_epoch)

    model = runtime.Sequential([keras.Input((1,)), Record(), keras.layers.Dense(1)])
    model.compile("sgd", "mse", run_eagerly=True)
    model.fit(batches(), epochs=3, steps_per_epoch=1, shuffle=False, verbose=0)
    assert seen == orders_of(0, 3) and len({tuple(order) for order in seen}) == 3  # a new order every epoch
    folder = str(tmp_path / "backup")
    model.fit(batches(), epochs=2, steps_per_epoch=1, shuffle=False, verbose=0, callbacks=[runtime.EpochBackup(folder)])
    backup = runtime.EpochBackup(folder)
    assert backup.initial_epoch == 2
    seen.clear()
    model.fit(batches(backup.initial_epoch), epochs=4, initial_epoch=backup.initial_epoch, steps_per_epoch=1,
              shuffle=False, verbose=0, callbacks=[backup])
    assert seen == orders_of(2, 2)  # epochs 2 and 3, as a run never interrupted would have had them
    with pytest.raises(ValueError, match=r"starts at epoch 0, but the backup .* resumes at epoch 4; expected "
                                         r"fit\(initial_epoch=backup.initial_epoch\)"):
        model.fit(batches(), epochs=5, steps_per_epoch=1, shuffle=False, verbose=0,
                  callbacks=[runtime.EpochBackup(folder)])
    assert runtime.EpochBackup(str(tmp_path / "none")).initial_epoch == 0
