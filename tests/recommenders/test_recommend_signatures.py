"""The served `recommend` and `recommend_for_profile`, reloaded from the export, against NumPy and the models."""

import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.movielens import age_band, load_movielens, user_item_fields

from keras_workshop.recommenders import (
    RECOMMENDATION_SOURCES,
    RecommendTables,
    denoising_recommender,
    ease_model,
    ease_scores,
    ease_weights,
    recommend_signatures,
    score_blend_model,
    top_k,
    topk_split,
    two_tower_model,
)
from keras_workshop.serving import ServedModel, export_for_serving, rest_request

PROFILE = {"gender": ["F", "M"], "age": [30, 19], "occupation": ["writer", "student"],
           "liked_titles": [["", ""], ["Star Wars (1977)", "Fargo (1996)"]]}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = load_movielens()
    split = topk_split(data, seed=0)
    seen = split.train
    vocabulary, user_fields, item_fields = user_item_fields(data)
    keras.utils.set_random_seed(0)
    towers = two_tower_model(len(vocabulary), 4, item_fields, dim=8, rate=0.2)
    ease = ease_model(seen, l2=400.0)
    tables = RecommendTables(data, seen, vocabulary)
    signatures = recommend_signatures(ease, towers, tables, ["1", "2", "nobody"], PROFILE)
    base = tmp_path_factory.mktemp("served")
    path = export_for_serving(ease, "movie_recommendations", str(base), signatures=signatures, resources=[tables, towers])
    loaded = tf.saved_model.load(path)  # every check reads the reloaded export
    return {"data": data, "seen": seen, "vocabulary": vocabulary, "user_fields": user_fields, "towers": towers,
            "path": path, "signatures": loaded.signatures, "loaded": loaded}


def call(served, name, **inputs):
    return {key: value.numpy() for key, value in served["signatures"][name](**inputs).items()}


def titles_of(served, ids):
    return [served["data"].titles[i] if i >= 0 else "" for i in ids]


def test_recommend_ranks_unseen_movies_as_ease_does_and_answers_unknown_users_with_the_most_chosen(served):
    data, seen = served["data"], served["seen"]
    users = ["1", "57", "943", "no such user"]
    answer = call(served, "recommend", user_id=tf.constant(users), k=tf.constant(10))
    assert answer["found"].tolist() == [True, True, True, False]
    rows = [data.user_ids.tolist().index(user) for user in users[:3]]
    expected = top_k(ease_scores(seen, 400.0)[rows], seen[rows].toarray() > 0, 10)
    for row, want in enumerate(expected):
        got = [t.decode() for t in answer["titles"][row]]
        assert got == titles_of(served, want)
        assert not set(got) & set(data.titles[seen[rows[row]].nonzero()[1]])  # never a seen movie
    popular = np.argsort(-np.asarray(seen.sum(axis=0)).ravel(), kind="stable")[:10]
    assert [t.decode() for t in answer["titles"][3]] == titles_of(served, popular)


def test_recommend_takes_an_empty_batch_and_refuses_k_outside_one_to_the_number_of_movies(served):
    empty = call(served, "recommend", user_id=tf.constant([], tf.string), k=tf.constant(3))
    assert empty["titles"].shape == (0, 3) and empty["found"].shape == (0,)


@given(st.one_of(st.integers(min_value=-2**31, max_value=0), st.integers(min_value=1665, max_value=2**31 - 1)))
@settings(max_examples=10, deadline=None)
def test_k_outside_the_catalogue_fails_naming_it(served, k):
    for name, inputs in (("recommend", {"user_id": tf.constant(["1"])}),
                         ("recommend_for_profile", {key: tf.constant(value) for key, value in PROFILE.items()})):
        with pytest.raises(tf.errors.InvalidArgumentError, match=f"k must be in \\[1, 1664\\], got.*{k}"):
            call(served, name, **inputs, k=tf.constant(k))


def profile(**changes):
    return {key: tf.constant(value) for key, value in (PROFILE | changes).items()}


def test_a_profile_without_titles_is_the_user_tower_on_the_new_user_id_and_with_titles_ease_on_them(served):
    data, vocabulary = served["data"], served["vocabulary"]
    answer = call(served, "recommend_for_profile", **profile(), k=tf.constant(8))
    assert answer["from_liked"].tolist() == [False, True]
    fields = vocabulary.ids(["user:[new]", "gender:F", f"age:{age_band(30)}", "occupation:writer"])
    tower = served["towers"].predict(fields[None].astype(np.int32), verbose=0)
    assert [t.decode() for t in answer["titles"][0]] == titles_of(served, top_k(tower, np.zeros_like(tower, bool), 8)[0])
    liked = np.zeros((1, len(data.titles)))
    liked[0, [data.titles.tolist().index(t) for t in PROFILE["liked_titles"][1]]] = 1
    expected = top_k(liked @ ease_weights(served["seen"], 400.0), liked > 0, 8)
    got = [t.decode() for t in answer["titles"][1]]
    assert got == titles_of(served, expected[0]) and not set(got) & set(PROFILE["liked_titles"][1])


@pytest.mark.parametrize("changes, message", [
    ({"gender": ["F", "X"]}, "unknown gender.*gender:X"),
    ({"occupation": ["writer", "astronaut"]}, "unknown occupation.*occupation:astronaut"),
    ({"age": [30, -4]}, "age must be whole years in \\[0, 150\\], got.*-4"),
    ({"age": [30, 400]}, "age must be whole years in \\[0, 150\\], got.*400"),
    ({"liked_titles": [["", ""], ["Star Wars (1977)", "Star Wars"]]}, "unknown liked titles.*Star Wars"),
    ({"liked_titles": [["", ""], ["Fargo (1996)", "Fargo (1996)"]]}, "liked title given twice.*Fargo \\(1996\\)"),
    ({"age": [30]}, "same batch size"),
])
def test_bad_profiles_fail_naming_the_bad_value(served, changes, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        call(served, "recommend_for_profile", **profile(**changes), k=tf.constant(3))


def test_an_empty_batch_of_profiles_is_an_empty_answer(served):
    empty = {"gender": tf.constant([], tf.string), "age": tf.constant([], tf.int32),
             "occupation": tf.constant([], tf.string), "liked_titles": tf.zeros((0, 2), tf.string)}
    answer = call(served, "recommend_for_profile", **empty, k=tf.constant(4))
    assert answer["titles"].shape == (0, 4) and answer["from_liked"].shape == (0,)


def test_the_export_loads_in_the_cpp_loader_and_replays_its_samples(served):
    result = subprocess.run([sys.executable, "-m", "keras_workshop.check_export", served["path"]],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "recommend_for_profile -> titles: equal" in result.stdout


def test_recommend_tables_refuse_a_seen_matrix_of_the_wrong_shape(served):
    with pytest.raises(ValueError, match="seen has shape \\(3, 3\\); expected \\(users, items\\)"):
        RecommendTables(served["data"], np.eye(3), served["vocabulary"])


def as_arrays(inputs):
    return {name: np.asarray(value, dtype=np.int32 if name in ("age", "k") else object) for name, value in inputs.items()}


@pytest.mark.parametrize("name, changes, message", [
    ("recommend_for_profile", {"liked_titles": ["Star Wars (1977)", ""]},
     r"input `liked_titles` must be a \(batch, m\) tensor of strings, got a tensor of shape\W+2\]"),
    ("recommend", {"user_id": "196"}, r"input `user_id` must be a \(batch,\) tensor of strings, got a tensor of shape\W+\]"),
    ("recommend", {"user_id": [["196"]]}, r"input `user_id` must be a \(batch,\) tensor of strings, got a tensor of shape\W+1 1\]"),
    ("recommend", {"k": [5]}, r"input `k` must be one int32 \(a scalar\), got a tensor of shape\W+1\]"),
    ("recommend_for_profile", {"age": [[30], [19]]}, r"input `age` must be a \(batch,\) tensor of int32"),
    ("recommend_for_profile", {"occupation": ["writer"]},
     r"inputs gender, age, occupation, liked_titles must have the same batch size .*\[2 2 1 2\]"),
])
def test_inputs_of_the_wrong_form_fail_naming_the_input_where_tf_serving_feeds_them(served, name, changes, message):
    """TF Serving and the C++ loader feed tensors of any shape: the graph itself names the input and its form."""
    inputs = (dict(PROFILE) if name == "recommend_for_profile" else {"user_id": ["196", "1"]}) | {"k": 5}
    with ServedModel(served["path"]) as model:
        assert len(model.run(name, as_arrays(inputs))["titles"]) == 2
        with pytest.raises(RuntimeError, match=message):
            model.run(name, as_arrays(inputs | changes))


not_strings = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans())
not_whole_numbers = st.one_of(st.floats().filter(lambda x: not x.is_integer()), st.text(max_size=3), st.booleans(),
                              st.integers().filter(lambda x: not -2**31 <= x < 2**31))


@given(user=not_strings, age=not_whole_numbers, slot=st.integers(0, 1))
@settings(max_examples=30, deadline=None)
def test_rest_request_checks_what_the_signature_will(served, user, age, slot):
    path = served["path"]
    assert rest_request({"user_id": ["196"], "k": 5}, "recommend", export_dir=path)["inputs"]["user_id"] == ["196"]
    with pytest.raises(ValueError, match=rf"input `user_id` must be a \(batch,\) tensor of strings, got the non-string"):
        rest_request({"user_id": ["196", user][slot:] + ["1"][:slot], "k": 5}, "recommend", export_dir=path)
    ages = [30, 19]
    ages[slot] = age
    with pytest.raises(ValueError, match=r"input `age` must be a \(batch,\) tensor of int32, got .*"
                                         r"(not a whole number|string|boolean|outside int32's range)"):
        rest_request(PROFILE | {"age": ages, "k": 5}, "recommend_for_profile", export_dir=path)


@pytest.mark.parametrize("inputs, message", [
    ({"user_id": "196", "k": 5}, r"input `user_id` must be a \(batch,\) tensor of strings, got the scalar '196'"),
    ({"user_id": [["196"]], "k": 5}, r"input `user_id` must be a \(batch,\) tensor of strings, got shape \(1, 1\)"),
    ({"user_id": ["196"], "k": [5]}, r"input `k` must be one int32 \(a scalar\), got shape \(1,\)"),
    ({"user_id": ["196"], "k": 5.5}, r"input `k` must be one int32 \(a scalar\), got 5.5, which is not a whole number"),
])
def test_rest_request_refuses_a_wrong_rank_or_kind_naming_the_input(served, inputs, message):
    with pytest.raises(ValueError, match=message):
        rest_request(inputs, "recommend", export_dir=served["path"])


def test_rest_request_refuses_ragged_titles_and_unequal_batches(served):
    ragged = PROFILE | {"liked_titles": [["Fargo (1996)"], ["Star Wars (1977)", "Fargo (1996)"]], "k": 5}
    with pytest.raises(ValueError, match=r"input `liked_titles` has rows of different lengths \[1, 2\]; "
                                         r'pad each row with "" to one length'):
        rest_request(ragged, "recommend_for_profile")  # with or without the export
    with pytest.raises(ValueError, match=r"inputs gender, age, occupation, liked_titles must have the same batch size"
                                         r".*\[2, 1, 2, 2\]"):
        rest_request(PROFILE | {"age": [30], "k": 5}, "recommend_for_profile", export_dir=served["path"])


def test_each_row_names_what_answered_it_and_so_its_scale(served):
    """Known users: the bag model; unknown users: how many training users chose each movie; profiles: the towers."""
    data, seen = served["data"], served["seen"]
    answer = call(served, "recommend", user_id=tf.constant(["1", "nobody"]), k=tf.constant(5))
    assert [s.decode() for s in answer["source"]] == ["bag_model", "most_popular"]
    counts = np.sort(np.asarray(seen.sum(axis=0)).ravel())[::-1][:5]
    np.testing.assert_array_equal(answer["scores"][1], counts)  # a count of users, not a model's score
    row = data.user_ids.tolist().index("1")
    expected = np.sort(np.where(seen[row].toarray()[0] > 0, -np.inf, ease_scores(seen, 400.0)[row]))[::-1][:5]
    np.testing.assert_allclose(answer["scores"][0], expected, rtol=1e-4, atol=1e-6)
    profiles = call(served, "recommend_for_profile", **profile(), k=tf.constant(5))
    assert [s.decode() for s in profiles["source"]] == ["user_tower", "bag_model"]
    assert set(RECOMMENDATION_SOURCES) == {"bag_model", "most_popular", "user_tower"}


def test_the_export_serves_a_blend_as_the_blend_ranks_in_numpy(tmp_path):
    """A blend of EASE's Dense layer and a denoising recommender, served: the same top 10 as float64 z-scores."""
    data = load_movielens()
    seen = topk_split(data, seed=0).train
    vocabulary, _, item_fields = user_item_fields(data)
    keras.utils.set_random_seed(0)
    towers = two_tower_model(len(vocabulary), 4, item_fields, dim=8, rate=0.2)
    ease = ease_model(seen, l2=400.0)
    denoising = denoising_recommender(seen.shape[1], hidden=16, normalise=True)
    blend = score_blend_model([ease, denoising], [1.0, 0.7])
    tables = RecommendTables(data, seen, vocabulary)
    path = export_for_serving(blend, "movie_recommendations", str(tmp_path),
                              signatures=recommend_signatures(blend, towers, tables, ["1"], PROFILE),
                              resources=[tables, towers])
    users = ["1", "57", "943"]
    rows = [data.user_ids.tolist().index(user) for user in users]
    bags = seen[rows].toarray().astype(np.float32)

    def z(scores):
        scores = np.asarray(scores, np.float64)
        return (scores - scores.mean(axis=1, keepdims=True)) / scores.std(axis=1, keepdims=True)

    expected = z(ease_scores(seen, 400.0)[rows]) + 0.7 * z(denoising.predict(bags, verbose=0))
    with ServedModel(path) as served:
        answer = served.run("recommend", {"user_id": np.array(users, object), "k": np.int32(10)})
    for row, want in enumerate(top_k(expected, bags > 0, 10)):
        assert answer["titles"][row].tolist() == [data.titles[i] for i in want]
    np.testing.assert_allclose(answer["scores"], np.take_along_axis(expected, top_k(expected, bags > 0, 10), 1),
                               rtol=1e-3, atol=1e-3)
