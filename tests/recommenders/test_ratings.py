"""Rating models, their training protocol, and the served rating and recommend signatures."""

import functools
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keras_workshop.movielens import FIELDS, age_band, field_vocabulary, load_movielens, rating_rows

from keras_workshop.recommenders import (
    ImplicitFeedback,
    PRIOR_RATINGS,
    RatingTables,
    average_models,
    hybrid_rating_model,
    kfold_splits,
    predict_ratings,
    rating_signatures,
    ratings_dataset,
    rmse_mae,
    slide_rating_model,
)
from tests.embeddings.test_embedding import BAD_IDS, assert_bad_id_rejected_on_every_path
from keras_workshop.runtime import batches_per_epoch
from keras_workshop.serving import export_for_serving
from tests.conftest import REPO
from tests.movielens.test_data import write_grouplens
from tests.trainings import train_ratings


def test_the_slide_model_is_the_slides_sequential():
    model = slide_rating_model(100, len(FIELDS), dim=8, hidden=32, rate=0.4, mean_rating=3.6)
    assert [type(layer).__name__ for layer in model.layers] == ["Embedding", "Flatten", "Dropout", "Dense", "Dropout", "Dense"]
    embedding = model.layers[0]
    assert (embedding.input_dim, embedding.output_dim, embedding.input_length) == (100, 8, len(FIELDS))
    assert [layer.rate for layer in model.layers if type(layer).__name__ == "Dropout"] == [0.4, 0.4]
    assert model.layers[3].units == 32 and model.layers[3].activation.__name__ == "relu"
    assert model.inputs[0].shape == (None, len(FIELDS)) and model.output_shape == (None, 1)
    np.testing.assert_allclose(model.predict(np.zeros((2, len(FIELDS)), "int32"), verbose=0).shape, (2, 1))
    with pytest.raises(ValueError, match="`dim` must be a positive integer"):
        slide_rating_model(100, 11, dim=0)


def test_kfold_splits_are_disjoint_cover_everything_and_validate_on_training_data():
    splits = kfold_splits(1000, folds=5, seed=3)
    tests = np.concatenate([test for _, _, test in splits])
    assert sorted(tests.tolist()) == list(range(1000))  # every rating tested exactly once
    for fit, validation, test in splits:
        assert not set(fit) & set(test) and not set(validation) & set(test) and not set(fit) & set(validation)
        assert len(fit) + len(validation) + len(test) == 1000
    assert [t.tolist() for _, _, t in splits] == [t.tolist() for _, _, t in kfold_splits(1000, 5, 3)]
    with pytest.raises(ValueError, match="`folds` must be an integer >= 2"):
        kfold_splits(10, folds=1, seed=0)


def test_rmse_mae_against_numpy():
    rng = np.random.default_rng(0)
    predictions, truth = rng.uniform(1, 5, 100), rng.integers(1, 6, 100)
    rmse, mae = rmse_mae(predictions, truth)
    assert rmse == pytest.approx(np.sqrt(np.mean((predictions - truth) ** 2)))
    assert mae == pytest.approx(np.mean(np.abs(predictions - truth)))


def test_the_slide_model_clearly_beats_the_global_mean_on_a_small_split():
    data = load_movielens()
    vocabulary = field_vocabulary(data)
    rows = rating_rows(data, vocabulary, data.rating_users, data.rating_items)
    order = np.random.default_rng(0).permutation(len(rows))
    fit, validation, test = order[:40_000], order[40_000:42_000], order[42_000:52_000]
    keras.utils.set_random_seed(0)
    model = slide_rating_model(len(vocabulary), rows.shape[1], mean_rating=float(data.ratings[fit].mean()))
    train_ratings(model, rows[fit], data.ratings[fit], (rows[validation], data.ratings[validation]),
                  epochs=6, batch_size=512, patience=2)
    model_rmse, _ = rmse_mae(predict_ratings(model, rows[test]), data.ratings[test])
    mean_rmse, _ = rmse_mae(np.full(len(test), data.ratings[fit].mean()), data.ratings[test])
    assert model_rmse < 0.9 * mean_rmse, (model_rmse, mean_rmse)


def test_implicit_feedback_is_the_normalised_sum_of_the_rated_items_vectors():
    layer = ImplicitFeedback([0, 0, 1, 0], [3, 4, 3, 3], vocabulary_size=6, factors=2)  # a repeated pair counts once
    vectors = np.random.default_rng(0).standard_normal((6, 2)).astype("float32")
    layer.item_vectors.assign(vectors)
    expected = np.stack([(vectors[3] + vectors[4]) / np.sqrt(2), vectors[3], np.zeros(2)])
    np.testing.assert_allclose(np.asarray(layer(np.array([0, 1, 2]))), expected, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match=r"ids must be in \[0, 6\)"):
        ImplicitFeedback([0], [6], vocabulary_size=6, factors=2)


def test_implicit_feedback_saves_its_pairs_as_weights_not_config(tmp_path):
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 50, 2000), rng.integers(0, 50, 2000)
    ids = keras.Input((), dtype="int32")
    model = keras.Model(ids, ImplicitFeedback(users, items, vocabulary_size=50, factors=3, name="rated")(ids))
    config = model.get_layer("rated").get_config()
    assert config["user_ids"] is None and config["pair_count"] == len({*zip(users, items)})
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    queries = np.arange(50, dtype="int32")
    np.testing.assert_array_equal(np.asarray(loaded(queries)), np.asarray(model(queries)))
    with pytest.raises(ValueError, match="pair_count must be a whole number"):
        ImplicitFeedback(None, None, vocabulary_size=5, factors=2)


def test_hybrid_and_ensemble_build_on_the_same_rows():
    rated = ([0, 0, 1], [5, 6, 5])
    members = [
        hybrid_rating_model(slide_rating_model(8, 3, dim=2, hidden=4, name=f"s{i}"), rated if i else None, factors=2,
                            name=f"m{i}")
        for i in range(2)
    ]
    ensemble = average_models(members)
    x = np.array([[0, 5, 7], [1, 6, 7]])
    expected = np.mean([m.predict(x, verbose=0) for m in members], axis=0)
    np.testing.assert_allclose(ensemble.predict(x, verbose=0), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="distinct names"):
        average_models([members[0], members[0]])


@pytest.fixture
def small_export(tmp_path):
    data = load_movielens(write_grouplens(str(tmp_path / "data")))
    vocabulary = field_vocabulary(data)
    rows = rating_rows(data, vocabulary, data.rating_users, data.rating_items)
    keras.utils.set_random_seed(0)
    model = hybrid_rating_model(slide_rating_model(len(vocabulary), rows.shape[1], dim=3, hidden=4, mean_rating=3.0),
                                factors=3)
    for layer in model.layers:  # spread the outputs so that rankings are clear
        if layer.weights and layer.name != "biases":
            layer.set_weights([np.random.default_rng(1).normal(0, 0.5, w.shape) for w in layer.get_weights()])
    tables = RatingTables(data, vocabulary, data.rating_users, data.rating_items, data.ratings)
    signatures = rating_signatures(model, tables, ["1", "nobody"], ["5", "42"])
    path = export_for_serving(model, "ratings", base_dir=str(tmp_path / "saved"), signatures=signatures,
                              resources=[tables], vocabulary=vocabulary)
    return data, vocabulary, model, path


def test_served_ratings_are_the_models_with_documented_fallbacks(small_export):
    data, vocabulary, model, path = small_export
    served = tf.saved_model.load(path).signatures["serving_default"]
    users = ["1", "2", "3", "1", "nobody", "nobody"]
    items = ["5", "3", "1", "nope", "2", "nope"]
    answer = served(user_id=tf.constant(users), item_id=tf.constant(items))
    known = rating_rows(data, vocabulary, users[:3], items[:3])
    expected = np.clip(model.predict(known, verbose=0)[:, 0], 1, 5)
    np.testing.assert_allclose(answer["rating"].numpy()[:3], expected, rtol=1e-5)
    global_mean = data.ratings.mean()

    def shrunk(mask):
        return (data.ratings[mask].sum() + PRIOR_RATINGS * global_mean) / (mask.sum() + PRIOR_RATINGS)

    np.testing.assert_allclose(
        answer["rating"].numpy()[3:],
        [shrunk(data.rating_users == "1"), shrunk(data.rating_items == "2"), global_mean], rtol=1e-5,
    )
    assert answer["found"].numpy().tolist() == [True, True, True, False, False, False]
    assert answer["rating"].dtype == tf.float32 and np.all(np.isfinite(answer["rating"].numpy()))
    empty = served(user_id=tf.constant([], tf.string), item_id=tf.constant([], tf.string))
    assert empty["rating"].shape == (0,)


def test_recommend_leaves_out_what_the_user_rated_and_ranks_by_the_model(small_export):
    data, vocabulary, model, path = small_export
    served = tf.saved_model.load(path).signatures["recommend"]
    answer = served(user_id=tf.constant(["1", "nobody"]), k=tf.constant(2))
    rated = set(data.rating_items[data.rating_users == "1"])  # items 1 and 4
    candidates = [i for i in data.item_ids if i not in rated]
    scores = np.clip(model.predict(rating_rows(data, vocabulary, ["1"] * len(candidates), candidates), verbose=0)[:, 0], 1, 5)
    titles = dict(zip(data.item_ids, data.titles))
    best = [titles[candidates[i]] for i in np.argsort(-scores, kind="stable")[:2]]
    assert [t.decode() for t in answer["titles"].numpy()[0]] == best
    np.testing.assert_allclose(answer["ratings"].numpy()[0], np.sort(scores)[::-1][:2], rtol=1e-5)
    assert answer["found"].numpy().tolist() == [True, False]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"k must be in \[1, 5\]"):
        served(user_id=tf.constant(["1"]), k=tf.constant(6))


def test_rating_export_through_the_cpp_loader(small_export):
    _, _, _, path = small_export
    model_folder = os.path.dirname(path)  # as TF Serving takes it: the highest version is served
    result = subprocess.run([sys.executable, "-m", "keras_workshop.check_export", model_folder], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3"))
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("serving_default -> rating", "recommend -> titles: equal", "recommend -> found: equal"):
        assert line in result.stdout, result.stdout


@pytest.mark.parametrize("stars", [[5, 1, 3], [5, 1.5, 3], [4.5, 1, 3.5]])
def test_rated_stars_terms_are_the_normalised_sums_over_id_and_stars_symbols(stars):
    users, items = [0, 0, 1], [4, 5, 4]
    model = hybrid_rating_model(slide_rating_model(6, 2, dim=2, hidden=4), rated=(users, items, stars), factors=3)
    rated_items, raters = model.get_layer("rated_items"), model.get_layer("raters")
    levels = sorted(set(stars))  # each distinct star value, half stars too, never rounded
    assert rated_items.vocabulary_size == raters.vocabulary_size == 6 * len(levels)
    rng = np.random.default_rng(0)
    table_items = rng.standard_normal((6 * len(levels), 3)).astype("float32")
    table_raters = rng.standard_normal((6 * len(levels), 3)).astype("float32")
    rated_items.item_vectors.assign(table_items)
    raters.item_vectors.assign(table_raters)
    symbol = lambda other, star: other + 6 * levels.index(star)  # noqa: E731  one row per (id, star level)
    stars = dict(zip(zip(users, items), stars))
    # user 0 gave item 4 five stars and item 5 one star; item 4 got 5 stars from user 0 and 3 from user 1
    np.testing.assert_allclose(
        np.asarray(rated_items(np.array([0]))[0]),
        (table_items[symbol(4, stars[0, 4])] + table_items[symbol(5, stars[0, 5])]) / np.sqrt(2), rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(raters(np.array([4]))[0]),
        (table_raters[symbol(0, stars[0, 4])] + table_raters[symbol(1, stars[1, 4])]) / np.sqrt(2), rtol=1e-6)
    assert model(np.array([[0, 4], [1, 5]])).shape == (2, 1)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.integers(-2, 8), st.floats(0, 6), st.sampled_from([float("nan"), float("inf"), "3"])),
                min_size=1, max_size=4))
def test_rated_stars_must_be_finite_numbers(stars):
    slide = slide_rating_model(6, 2, dim=2, hidden=4)
    rated = ([0] * len(stars), [4] * len(stars), stars)
    if all(not isinstance(star, str) and np.isfinite(star) for star in stars):
        layer = hybrid_rating_model(slide, rated=rated, factors=2).get_layer("rated_items")
        assert layer.vocabulary_size == 6 * len(set(map(float, stars)))  # one level per distinct value
        return
    with pytest.raises(ValueError, match="the stars finite numbers"):
        hybrid_rating_model(slide, rated=rated, factors=2)


@functools.cache
def hybrid_and_ensemble():
    """Built once: hypothesis' examples share the models and their traced functions."""
    slides_ = [slide_rating_model(10, 2, dim=2, hidden=4, name=f"slide_{i}") for i in range(2)]
    hybrid = hybrid_rating_model(slides_[0], rated=([0, 1], [3, 4], [5, 2]), factors=2, name="hybrid")
    return hybrid, average_models([hybrid, slides_[1]])


@settings(max_examples=10, deadline=None)
@given(BAD_IDS)
def test_hybrid_and_ensemble_models_reject_bad_ids_as_given_on_every_path(bad):
    for model in hybrid_and_ensemble():
        assert_bad_id_rejected_on_every_path(model, np.array([[1, 2], [3, bad]]), bad, np.zeros((2, 1)))


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.floats(allow_nan=True).filter(lambda v: not float(v).is_integer()),
                 st.integers(2**31, 2**63 - 1), st.integers(-(2**63), -1)))  # ids an int64 array can hold
def test_ratings_dataset_never_truncates_or_wraps_ids(bad):
    rows = np.array([[1, 2], [3, bad]], dtype=object).astype(float if isinstance(bad, float) else np.int64)
    with pytest.raises(ValueError, match="field id"):
        ratings_dataset(rows, np.ones(2), batch_size=2)
    with pytest.raises(ValueError, match="finite ratings"):
        ratings_dataset(np.ones((2, 2), "int32"), np.array([4.0, np.nan]), batch_size=2)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(1, 5), min_size=1, max_size=6), st.sampled_from([np.nan, np.inf, -np.inf]),
       st.integers(0, 5))
def test_rmse_mae_refuses_non_finite_empty_or_unequal_input(ratings, bad, where):
    predictions = list(ratings)
    predictions[where % len(predictions)] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        rmse_mae(predictions, ratings)
    with pytest.raises(ValueError, match="as many predictions as ratings"):
        rmse_mae(ratings + [3.0], ratings)
    with pytest.raises(ValueError, match="at least one"):
        rmse_mae([], [])
    errors = np.asarray(ratings) - 3.0  # the float64 reference
    assert rmse_mae([3.0] * len(ratings), ratings) == (float(np.sqrt(np.mean(errors**2))), float(np.mean(np.abs(errors))))


def test_no_ratings_to_train_on_is_an_error_and_none_to_predict_gives_none():
    model = slide_rating_model(10, 2, dim=2, hidden=4)
    rows = np.zeros((0, 2), "int32")
    with pytest.raises(ValueError, match="got no rows to shuffle epoch after epoch"):
        ratings_dataset(rows, np.ones(0), batch_size=4, shuffle_seed=0)  # an endless stream of nothing otherwise
    with pytest.raises(ValueError, match="`rows` must be a positive integer, got 0"):
        batches_per_epoch(0, 4)
    assert predict_ratings(model, rows).shape == (0,)  # no rows, no ratings (Keras' predict would fail)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(st.sampled_from(["1", "2", "3"]), st.text(max_size=6)),
                          st.one_of(st.sampled_from(["1", "2", "5"]), st.text(max_size=6))), max_size=5),
       st.one_of(st.integers(1, 5), st.integers(-(2**31), 2**31 - 1)))
def test_served_rating_signatures_answer_any_ids_and_refuse_only_a_bad_k(small_export, pairs, k):
    """Any strings: a rating in [1, 5] and `found`; any k in [1, items]: k titles; another k: an error naming it."""
    data, _, _, path = small_export
    signatures = tf.saved_model.load(path).signatures
    users = [user for user, _ in pairs]
    answer = signatures["serving_default"](user_id=tf.constant(users, tf.string, shape=(len(pairs),)),
                                           item_id=tf.constant([item for _, item in pairs], tf.string, shape=(len(pairs),)))
    ratings = answer["rating"].numpy()
    assert ratings.shape == (len(pairs),) and np.all((ratings >= 1) & (ratings <= 5))
    known = [user in data.user_ids and item in data.item_ids for user, item in pairs]
    assert answer["found"].numpy().tolist() == known
    request = dict(user_id=tf.constant(users, tf.string, shape=(len(users),)), k=tf.constant(k))
    if not 1 <= k <= len(data.item_ids):
        with pytest.raises(tf.errors.InvalidArgumentError, match=rf"k must be in \[1, {len(data.item_ids)}\]"):
            signatures["recommend"](**request)
        return
    recommended = signatures["recommend"](**request)
    titles = dict(zip(data.item_ids, data.titles))
    for user, row, scores in zip(users, recommended["titles"].numpy().astype(str), recommended["ratings"].numpy()):
        rated = {titles[i] for i in data.rating_items[data.rating_users == user]}
        left = len(data.item_ids) - len(rated)
        assert not set(row) & rated and list(row[left:]) == [""] * max(0, k - left)  # never a rated title
        assert np.all((scores[: min(k, left)] >= 1) & (scores[: min(k, left)] <= 5)) and not scores[left:].any()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 4), st.integers(0, 4))
def test_served_ratings_of_unequal_lengths_name_both(small_export, users, items):
    """One user and three items is no request for three ratings (nor for one): an error naming both lengths."""
    signature = tf.saved_model.load(small_export[3]).signatures["serving_default"]
    request = dict(user_id=tf.constant(["1"] * users, tf.string, shape=(users,)),
                   item_id=tf.constant(["5"] * items, tf.string, shape=(items,)))
    if users == items:
        assert signature(**request)["rating"].shape == (users,)
        return
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"inputs user_id, item_id must have the same batch size .*\[{users} {items}\]"):
        signature(**request)


@pytest.mark.parametrize("stars", ["3.5", "4.5"])
def test_half_stars_are_read_as_they_are_written(tmp_path, stars):
    folder = write_grouplens(str(tmp_path / "data"))
    path = os.path.join(folder, "u.data")
    with open(path) as file:
        lines = file.read().splitlines()
    user, item, _, timestamp = lines[0].split("\t")
    lines[0] = "\t".join([user, item, stars, timestamp])
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
    assert load_movielens(folder).ratings[0] == float(stars)


def test_rows_and_tables_of_unequal_lengths_name_both():
    data = load_movielens()
    vocabulary = field_vocabulary(data)
    with pytest.raises(ValueError, match="rating_rows: got 2 users and 1 items"):
        rating_rows(data, vocabulary, ["1", "2"], ["5"])
    with pytest.raises(ValueError, match="RatingTables: got 2 user ids, 2 item ids and 1 ratings"):
        RatingTables(data, vocabulary, ["1", "2"], ["5", "6"], [4.0])


@given(st.one_of(st.tuples(st.integers(-3, 1), st.just(10), st.just(0)), st.tuples(st.just(5), st.integers(-3, 4), st.just(0)),
                 st.tuples(st.just(5), st.just(10), st.integers(max_value=-1)), st.tuples(st.just(2.5), st.just(10), st.just(0))))
def test_kfold_splits_refuse_arguments_outside_their_domain(arguments):
    folds, count, seed = arguments
    with pytest.raises(ValueError, match=r"kfold_splits: `(folds|count|seed)` must be"):
        kfold_splits(count, folds, seed)
    with pytest.raises(ValueError, match=r"kfold_splits: `validation_share` must be a number in \[0, 1\)"):
        kfold_splits(10, 2, 0, validation_share=1.0)
