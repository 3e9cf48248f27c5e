"""The CosineNeighbours callback on a planted vocabulary whose true neighbours are known."""

import json
import os
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_workshop import slides
from keras_workshop.embeddings import CosineNeighbours, Vocabulary

# Three planted clusters: each word's nearest neighbours are the others of its cluster.
CLUSTERS = {
    "fruit": ["apple", "pear", "plum", "fig"],
    "tools": ["hammer", "saw", "drill", "wrench"],
    "colours": ["red", "blue", "green", "yellow"],
}
WORDS = [word for words in CLUSTERS.values() for word in words]


def planted_weights(seed=0, spread=0.05):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(CLUSTERS), 16))
    rows = [centres[i] + spread * rng.standard_normal(16) for i, words in enumerate(CLUSTERS.values()) for _ in words]
    return np.array(rows, dtype="float32")


def model_with(weights):
    model = slides.Sequential()
    model.add(slides.Embedding(output_dim=16, input_dim=len(WORDS), input_length=1, weights=[weights], name="words"))
    model.add(slides.Flatten())
    model.add(slides.Dense(1))
    model.compile(keras.optimizers.SGD(0.0), "mse")
    return model


def fit(model, callback, epochs=3):
    ids = np.arange(len(WORDS)).reshape(-1, 1)
    model.fit(ids, np.zeros(len(WORDS)), epochs=epochs, verbose=0, callbacks=[callback])


def test_logs_exactly_the_planted_neighbours(tmp_path, capsys):
    weights = planted_weights()
    callback = CosineNeighbours(
        "words", WORDS, ["apple", "saw", "green"], k=3, log_path=str(tmp_path / "neighbours.jsonl"),
        evaluate=lambda w: {"rows": float(len(w))},
    )
    fit(model_with(weights), callback)
    unit = weights.astype(np.float64) / np.linalg.norm(weights, axis=1, keepdims=True)
    for probe in ["apple", "saw", "green"]:
        cluster = next(words for words in CLUSTERS.values() if probe in words)
        logged = callback.history[-1]["neighbours"][probe]
        assert sorted(name for name, _ in logged) == sorted(w for w in cluster if w != probe)
        for name, score in logged:
            assert score == pytest.approx(unit[WORDS.index(probe)] @ unit[WORDS.index(name)], abs=1e-5)
    lines = (tmp_path / "neighbours.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in records] == [0, 1, 2, 3]
    assert records[0]["overlap"] == {} and records[-1]["overlap"] == {"apple": 1.0, "saw": 1.0, "green": 1.0}
    assert records[-1]["scores"] == {"rows": 12.0}
    printed = capsys.readouterr().out
    assert "Cosine neighbours after epoch 3:" in printed and "apple:" in printed


def test_a_named_log_with_labels_says_which_training_and_shows_names(tmp_path, capsys):
    labels = {word: word.upper() for word in CLUSTERS["fruit"]}  # the tools keep their symbols
    callback = CosineNeighbours("words", WORDS, ["apple", "saw"], k=3, log_path=str(tmp_path / "log.jsonl"),
                                name="planted", labels=labels)
    fit(model_with(planted_weights()), callback, epochs=1)
    printed = capsys.readouterr().out
    assert printed.count("Cosine neighbours of planted after epoch") == 2
    fruit_line = next(line for line in printed.splitlines() if line.strip().startswith("APPLE:"))
    assert {"PEAR", "PLUM", "FIG"} <= set(fruit_line.replace(",", " ").split())
    assert any(line.strip().startswith("saw:") for line in printed.splitlines())
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert {r["model"] for r in records} == {"planted"}
    assert sorted(name for name, _ in records[-1]["neighbours"]["apple"]) == ["fig", "pear", "plum"]  # symbols kept


def test_reads_fresh_weights_each_time_and_tracks_overlap():
    model = model_with(planted_weights())
    callback = CosineNeighbours(model.layers[0], WORDS, ["apple"], k=3, verbose=0)
    callback.set_model(model)
    first = callback.log(1)
    swapped = planted_weights()
    swapped[[0, 4]] = swapped[[4, 0]]  # apple now sits among the tools
    model.layers[0].embeddings.assign(swapped)
    second = callback.log(2)
    assert sorted(name for name, _ in second["neighbours"]["apple"]) == ["drill", "saw", "wrench"]
    assert second["overlap"]["apple"] == 0.0 and first["overlap"] == {}


def test_tensorboard_text_and_scalars(tmp_path):
    callback = CosineNeighbours(
        "words", WORDS, ["fig"], k=2, tensorboard_dir=str(tmp_path / "tb"), evaluate=lambda w: {"score": 0.5}, verbose=0
    )
    fit(model_with(planted_weights()), callback, epochs=2)
    (events,) = [os.path.join(tmp_path / "tb", f) for f in os.listdir(tmp_path / "tb")]
    tags = {}
    for event in tf.compat.v1.train.summary_iterator(events):
        for value in event.summary.value:
            tags.setdefault(value.tag, []).append(event.step)
    assert tags["neighbours/fig"] == [0, 1, 2] and tags["scores/score"] == [0, 1, 2]


def test_an_undefined_score_is_logged_as_null_and_an_infinite_one_refused(tmp_path, capsys):
    """A correlation over fewer than 3 judged pairs is NaN: valid JSON (null), n/a on screen, no scalar."""
    scores = iter([float("nan"), 0.25, np.float32("nan")])
    callback = CosineNeighbours(
        "words", WORDS, ["fig"], k=2, log_path=str(tmp_path / "log.jsonl"), tensorboard_dir=str(tmp_path / "tb"),
        evaluate=lambda w: {"spearman": next(scores)},
    )
    fit(model_with(planted_weights()), callback, epochs=2)
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [record["scores"]["spearman"] for record in records] == [None, 0.25, None]
    assert "spearman n/a" in capsys.readouterr().out
    (events,) = [os.path.join(tmp_path / "tb", f) for f in os.listdir(tmp_path / "tb")]
    steps = [event.step for event in tf.compat.v1.train.summary_iterator(events)
             for value in event.summary.value if value.tag == "scores/spearman"]
    assert steps == [1]
    for bad, message in ((float("inf"), "expected a finite number"), ("high", "expected a number")):
        callback = CosineNeighbours("words", WORDS, ["fig"], k=2, verbose=0, evaluate=lambda w: {"spearman": bad})
        with pytest.raises(ValueError, match=f"evaluate gave 'spearman' = .*{message}"):
            fit(model_with(planted_weights()), callback, epochs=1)


def test_every_and_train_end():
    callback = CosineNeighbours("words", WORDS, ["red"], k=2, every=2, verbose=0, log_initial=False)
    fit(model_with(planted_weights()), callback, epochs=5)
    assert [record["epoch"] for record in callback.history] == [2, 4, 5]


def test_bad_probes_and_layers():
    with pytest.raises(ValueError, match=r"'aple' \(close: apple\)"):
        CosineNeighbours("words", WORDS, ["aple"])
    with pytest.raises(ValueError, match=r"k must be in \[1, 11\]"):
        CosineNeighbours("words", WORDS, ["apple"], k=12)
    model = model_with(planted_weights())
    with pytest.raises(ValueError, match="is a Dense; expected a keras.layers.Embedding"):
        CosineNeighbours(model.layers[2], WORDS, ["apple"]).set_model(model)
    small = Vocabulary(WORDS[:6])
    with pytest.raises(ValueError, match="input_dim 12 but the vocabulary has 6"):
        CosineNeighbours("words", small, ["apple"], k=2).set_model(model)



def read_records(path):
    return [json.loads(line) for line in open(path)]  # strict JSON: every line parses


def test_one_instance_serves_several_fits_and_starts_its_log_afresh(tmp_path):
    log = tmp_path / "neighbours.jsonl"
    callback = CosineNeighbours("words", WORDS, ["apple"], k=2, log_path=str(log), verbose=0)
    model = model_with(planted_weights())
    fit(model, callback, epochs=2)
    assert [r["epoch"] for r in read_records(log)] == [0, 1, 2]
    fit(model, callback, epochs=3)  # a second fit: state reset, the log written anew
    records = read_records(log)
    assert [r["epoch"] for r in records] == [0, 1, 2, 3]
    assert [r["epoch"] for r in callback.history] == [0, 1, 2, 3]
    assert records[0]["overlap"] == {}  # no overlap carried over from the first fit


def test_append_mode_continues_the_log_without_repeating_an_epoch(tmp_path):
    log = tmp_path / "neighbours.jsonl"
    model = model_with(planted_weights())
    ids = np.arange(len(WORDS)).reshape(-1, 1)
    callback = CosineNeighbours("words", WORDS, ["apple"], k=2, log_path=str(log), verbose=0, append=True)
    model.fit(ids, np.zeros(len(WORDS)), epochs=2, verbose=0, callbacks=[callback])
    model.fit(ids, np.zeros(len(WORDS)), epochs=4, initial_epoch=2, verbose=0, callbacks=[callback])
    assert [r["epoch"] for r in read_records(log)] == [0, 1, 2, 3, 4]
    assert [r["epoch"] for r in callback.history] == [3, 4]


def test_initial_log_of_a_fit_that_starts_later_is_at_its_first_epoch(tmp_path):
    callback = CosineNeighbours("words", WORDS, ["apple"], k=2, verbose=0)
    ids = np.arange(len(WORDS)).reshape(-1, 1)
    model_with(planted_weights()).fit(
        ids, np.zeros(len(WORDS)), epochs=5, initial_epoch=3, verbose=0, callbacks=[callback]
    )
    assert [r["epoch"] for r in callback.history] == [3, 4, 5]


def test_diverged_weights_are_an_error_not_minus_infinity_in_the_log(tmp_path):
    model = model_with(planted_weights())
    callback = CosineNeighbours(model.layers[0], WORDS, ["apple"], k=3, verbose=0, log_path=str(tmp_path / "log.jsonl"))
    callback.set_model(model)
    callback.on_train_begin()
    diverged = planted_weights()
    diverged[5] = np.nan  # one row, as a diverging run leaves it
    model.layers[0].embeddings.assign(diverged)
    with pytest.raises(ValueError, match=r"NaN or inf in rows \[5\]"):
        callback.log(1)
    callback.on_train_end()
    for line in (tmp_path / "log.jsonl").read_text().splitlines():
        json.loads(line)  # whatever was written is valid JSON


def test_a_resumed_run_continues_its_logs_without_rewriting_them(tmp_path):
    """A kill after an epoch was logged but before it was backed up: the resumed run logs it once, as TensorBoard shows."""
    from keras_workshop.runtime import EpochBackup
    from tests.runtime.test_resume import scalars

    log, board, folder = tmp_path / "neighbours.jsonl", tmp_path / "tensorboard", str(tmp_path / "backup")
    ids, targets = np.arange(len(WORDS)).reshape(-1, 1), np.zeros(len(WORDS))
    model = model_with(planted_weights())

    def neighbours(**options):
        return CosineNeighbours("words", WORDS, ["apple"], k=2, verbose=0, log_path=str(log),
                                tensorboard_dir=str(board), evaluate=lambda weights: {"sum": float(weights.sum())},
                                **options)

    first = neighbours()
    model.fit(ids, targets, epochs=2, verbose=0, callbacks=[first, EpochBackup(folder, [first])])
    # Epoch 3 logged, then the kill: its line and its events are in the logs, not in the backup.
    model.fit(ids, targets, epochs=3, initial_epoch=2, verbose=0, callbacks=[neighbours(append=True, log_initial=False)])
    backed_up = log.read_bytes()[: len(log.read_bytes()) - len(log.read_text().splitlines()[-1]) - 1]
    (first_events,) = [path for path in board.iterdir()][:1]
    events_before = first_events.read_bytes()
    time.sleep(1.1)  # TensorBoard reads a run's event files in the order of their names, which start with the second
    resumed = neighbours()
    backup = EpochBackup(folder, [resumed])
    model.fit(ids, targets, epochs=4, initial_epoch=backup.initial_epoch, verbose=0, callbacks=[resumed, backup])
    assert [record["epoch"] for record in read_records(log)] == [0, 1, 2, 3, 4]
    assert log.read_bytes().startswith(backed_up) and first_events.read_bytes() == events_before  # appended only
    assert [step for step, _ in scalars(board)["scores/sum"]] == [0, 1, 2, 3, 4]  # epoch 3 once, the resumed one
