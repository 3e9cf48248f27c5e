"""Top-k models of the slides' parts: against NumPy references, and each ahead of "most popular" on a small split."""

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.movielens import NEW_USER, load_movielens, user_item_fields

from keras_workshop.recommenders import (
    CandidateScores,
    MultinomialLikelihood,
    SymbolDropout,
    denoising_recommender,
    ease_model,
    ease_scores,
    ease_weights,
    item_table,
    most_popular_scores,
    topk_metrics,
    topk_split,
    two_tower_model,
    two_towers,
)
from keras_workshop.runtime import array_batches, batches_per_epoch


@pytest.fixture(scope="module")
def movielens():
    data = load_movielens()
    return data, topk_split(data, seed=0), user_item_fields(data)


def validation_ndcg(scores, split):
    return topk_metrics(scores, split.valid, split.train)["ndcg"]


def test_ease_weights_solve_the_constrained_least_squares_problem():
    """B minimises |X - XB|² + λ|B|² with diag(B) = 0: each column j is a ridge regression on the other columns."""
    rng = np.random.default_rng(0)
    matrix = (rng.random((40, 9)) < 0.3).astype(float)
    weights = ease_weights(matrix, l2=2.0)
    for j in range(9):
        others = np.delete(np.arange(9), j)
        design = matrix[:, others]
        ridge = np.linalg.solve(design.T @ design + 2.0 * np.eye(8), design.T @ matrix[:, j])
        np.testing.assert_allclose(weights[others, j], ridge, atol=1e-10)
        assert weights[j, j] == 0


@given(st.one_of(st.floats(max_value=0), st.just(float("nan")), st.just(float("inf")), st.booleans(), st.text()))
@settings(max_examples=25, deadline=None)
def test_ease_weights_refuse_l2_that_is_not_a_positive_number(l2):
    with pytest.raises(ValueError, match="`l2` must be a finite number > 0"):
        ease_weights(np.eye(3), l2=l2)


def test_ease_model_is_one_dense_layer_with_the_scores_of_ease(movielens):
    data, split, _ = movielens
    model = ease_model(split.train, l2=400.0)
    assert [layer.__class__.__name__ for layer in model.layers] == ["Dense"]
    bags = split.train.toarray().astype(np.float32)
    np.testing.assert_allclose(model.predict(bags, verbose=0), ease_scores(split.train, 400.0), atol=2e-4)


@given(st.one_of(st.floats(min_value=1), st.floats(max_value=-1e-9), st.just(float("nan")),
                 st.booleans(), st.none()))
@settings(max_examples=25, deadline=None)
def test_dropout_rates_outside_zero_to_one_are_refused(rate):
    with pytest.raises(ValueError, match="`rate` must be a number in \\[0, 1\\)"):
        denoising_recommender(10, rate=rate)
    with pytest.raises(ValueError, match="`rate` must be a number in \\[0, 1\\)"):
        SymbolDropout(rate, unknown_id=0)


def test_the_denoising_recommender_is_the_slides_dropout_block_and_beats_most_popular(movielens):
    _, split, _ = movielens
    keras.utils.set_random_seed(0)
    items = split.train.shape[1]
    model = denoising_recommender(items, rate=0.5)
    assert [layer.name for layer in model.layers] == ["denoising", "logits"] and model.output_shape == (None, items)
    model.compile(keras.optimizers.Adam(1e-3), MultinomialLikelihood())
    bags = split.train.toarray().astype(np.float32)
    model.fit(array_batches([bags, bags], 64, shuffle_seed=0), epochs=8, steps_per_epoch=batches_per_epoch(len(bags), 64),
              shuffle=False, verbose=0)
    ours, popular = validation_ndcg(model.predict(bags, verbose=0), split), validation_ndcg(
        most_popular_scores(split.train), split)
    assert ours > popular + 0.02, (ours, popular)


def test_mult_dae_with_a_hidden_layer_learns_with_the_multinomial_likelihood(movielens):
    """Mult-DAE's shape (normalised bag, tanh hidden layer, L2) far ahead of "most popular" within 10 epochs."""
    _, split, _ = movielens
    keras.utils.set_random_seed(0)
    items = split.train.shape[1]
    model = denoising_recommender(items, rate=0.5, hidden=200, l2=1e-3, normalise=True)
    model.compile(keras.optimizers.Adam(1e-3), MultinomialLikelihood())
    bags = split.train.toarray().astype(np.float32)
    model.fit(bags, bags, batch_size=128, epochs=10, verbose=0)
    ours, popular = validation_ndcg(model.predict(bags, verbose=0), split), validation_ndcg(
        most_popular_scores(split.train), split)
    assert ours > popular + 0.05, (ours, popular)


def test_symbol_dropout_drops_only_its_field_at_its_rate_and_nothing_at_inference():
    layer = SymbolDropout(rate=0.3, unknown_id=0, field=1, seed=3)
    ids = np.tile(np.array([[5, 6, 7]], np.int32), (4000, 1))
    dropped = np.asarray(layer(ids, training=True))
    share = (dropped[:, 1] == 0).mean()
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)  # within 4 standard errors of the rate
    assert (dropped[:, [0, 2]] == ids[:, [0, 2]]).all() and set(np.unique(dropped[:, 1])) == {0, 6}
    np.testing.assert_array_equal(np.asarray(layer(ids, training=False)), ids)
    clone = SymbolDropout.from_config(layer.get_config())
    assert (clone.rate, clone.unknown_id, clone.field) == (0.3, 0, 1)


def test_candidate_scores_are_user_vectors_times_every_item_vector_and_survive_a_keras_file(tmp_path):
    keras.utils.set_random_seed(0)
    model = two_tower_model(12, 2, item_fields=[[5, 7], [6, 8], [6, 9]], dim=4, rate=0.0)
    users = np.array([[1, 2], [3, 4]], np.int32)
    user_tower = model.get_layer("user_tower")
    item_tower = model.get_layer("candidate_scores").item_tower
    reference = np.asarray(user_tower(users), np.float64) @ np.asarray(
        item_tower(np.array([[5, 7], [6, 8], [6, 9]], np.int32)), np.float64).T
    scores = model.get_layer("candidate_scores")
    scores.item_bias.assign([0.5, -1.0, 2.0])
    reference += [0.5, -1.0, 2.0]
    np.testing.assert_allclose(model.predict(users, verbose=0), reference, rtol=1e-5, atol=1e-6)
    path = str(tmp_path / "two_tower.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(users, verbose=0), model.predict(users, verbose=0), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(loaded.get_layer("candidate_scores").item_fields), [[5, 7], [6, 8], [6, 9]])
    with pytest.raises(ValueError, match="item_fields must be \\(items, fields\\) integer ids"):
        CandidateScores(item_tower, np.array([0.5, 1.5]))


def test_two_towers_scores_any_two_towers_and_refuses_what_is_not_a_tower():
    keras.utils.set_random_seed(0)
    tower = lambda fields, name: keras.Sequential(  # noqa: E731
        [keras.Input((fields,), dtype="int32"), keras.layers.Embedding(12, 3), keras.layers.Flatten(),
         keras.layers.Dense(4)], name=name)
    users, items = tower(2, "user_tower"), tower(3, "item_tower")
    item_fields = np.array([[5, 7, 1], [6, 8, 2]], np.int32)
    model = two_towers(users, items, item_fields)
    rows = np.array([[1, 2], [3, 4]], np.int32)
    np.testing.assert_allclose(model.predict(rows, verbose=0),
                               np.asarray(users(rows)) @ np.asarray(items(item_fields)).T, rtol=1e-5, atol=1e-6)
    for user_tower, item_tower in ((users, "item_tower"), ("user_tower", items), (keras.layers.Dense(3), items)):
        with pytest.raises(ValueError, match="two_towers: expected two Keras models"):
            two_towers(user_tower, item_tower, item_fields)


def test_item_table_is_the_table_the_item_vectors_are_read_from_and_refuses_other_models():
    keras.utils.set_random_seed(0)
    model = two_tower_model(12, 2, item_fields=[[5, 7], [6, 8], [6, 9]], dim=4, rate=0.0)
    table = item_table(model)
    table.embeddings.assign(np.zeros((12, 4), np.float32))  # every item symbol's vector: 0
    items = model.get_layer("candidate_scores").item_tower(np.array([[5, 7], [6, 8]], np.int32))
    np.testing.assert_allclose(items, np.broadcast_to(model.get_layer("candidate_scores").item_tower.layers[-1].bias,
                                                      (2, 4)))  # only the Dense bias is left
    for other in (denoising_recommender(5), keras.Sequential([keras.layers.Dense(2)]), "two_tower", None):
        with pytest.raises(ValueError, match="item_table: expected a model of two_tower_model"):
            item_table(other)


def test_two_towers_beat_most_popular_with_ids_and_for_users_they_never_saw(movielens):
    data, split, (vocabulary, user_fields, item_fields) = movielens
    assert vocabulary.ids([NEW_USER]).tolist() == [0]
    # cold start: a tenth of the users held out entirely, answered from their descriptors alone
    held_out = np.arange(0, len(data.user_ids), 10)
    kept = np.setdiff1d(np.arange(len(data.user_ids)), held_out)
    everything = split.train + split.valid + split.test
    trained_on = everything.multiply(np.isin(np.arange(len(data.user_ids)), kept)[:, None]).tocsr()
    keras.utils.set_random_seed(0)
    model = two_tower_model(len(vocabulary), 4, item_fields, dim=16, rate=0.5, new_user_rate=0.5, seed=0)
    model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    users, chosen = trained_on.nonzero()
    model.fit(array_batches([user_fields[users], chosen.astype(np.int32)], 2048, shuffle_seed=0), epochs=8,
              steps_per_epoch=batches_per_epoch(len(chosen), 2048), verbose=0, shuffle=False)
    known = kept[:300]
    train_known = split.train[known]
    ours = topk_metrics(model.predict(user_fields[known], verbose=0), split.test[known] + split.valid[known],
                        train_known)["ndcg"]
    popular = topk_metrics(most_popular_scores(trained_on)[known], split.test[known] + split.valid[known],
                           train_known)["ndcg"]
    assert ours > popular + 0.01, (ours, popular)  # 0.237 against 0.215 here, after 8 epochs
    new_users = user_fields[held_out].copy()
    new_users[:, 0] = 0
    nobody = np.zeros((len(held_out), everything.shape[1]))
    cold = topk_metrics(model.predict(new_users, verbose=0), everything[held_out], nobody)["ndcg"]
    cold_popular = topk_metrics(most_popular_scores(trained_on)[held_out], everything[held_out], nobody)["ndcg"]
    assert cold > cold_popular, (cold, cold_popular)  # 0.514 against 0.501 here


def test_accidental_hits_are_masked_where_keras_rs_0_4_leaves_them_unchanged():
    import keras_rs

    from keras_workshop.recommenders import remove_accidental_hits

    rng = np.random.default_rng(0)
    items = rng.integers(0, 4, 12)
    logits = rng.normal(size=(12, 12)).astype(np.float32)
    ours = np.asarray(remove_accidental_hits(logits, items))
    for row in range(12):
        for column in range(12):
            hit = items[row] == items[column] and row != column
            assert ours[row, column] == (-1e9 if hit else logits[row, column])
    # keras-team/keras-rs#206: its offset is ~1e-40, which float32 logits absorb
    theirs = keras_rs.layers.RemoveAccidentalHits()(logits, np.eye(12, dtype=np.float32), items)
    np.testing.assert_array_equal(np.asarray(theirs), logits)


def test_in_batch_negatives_train_the_towers_ahead_of_most_popular(movielens):
    from keras_workshop.recommenders import InBatchScores, InBatchSoftmax, in_batch_model

    _, split, (vocabulary, user_fields, item_fields) = movielens
    keras.utils.set_random_seed(0)
    towers = two_tower_model(len(vocabulary), 4, item_fields, dim=32, rate=0.2)
    users, chosen = split.train.nonzero()
    share = np.bincount(chosen, minlength=item_fields.shape[0]) / len(chosen)
    trainer = in_batch_model(towers, share)
    trainer.compile(keras.optimizers.Adam(3e-3), InBatchSoftmax())
    rows = np.c_[user_fields[users], chosen].astype(np.int32)
    trainer.fit(array_batches([rows, chosen.astype(np.int32)], 1024, shuffle_seed=0), epochs=4,
                steps_per_epoch=batches_per_epoch(len(chosen), 1024), verbose=0, shuffle=False)
    ours = validation_ndcg(towers.predict(user_fields, verbose=0), split)  # the towers rank every movie
    assert ours > validation_ndcg(most_popular_scores(split.train), split) + 0.02, ours
    with pytest.raises(ValueError, match="sampling_probability must be 1664 finite shares >= 0"):
        InBatchScores(towers.get_layer("candidate_scores").item_tower, item_fields, share[:-1])
