"""Served top-k signatures: a known user's id, or a new user's profile, in; unseen titles out."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_workshop.embeddings import Vocabulary
from keras_workshop.movielens import AGE_BANDS, OLDEST_AGE, MovieLens
from keras_workshop.recommenders._baselines import interaction_matrix

# What answered a row, and so the scale of its scores (saved_models/README.md says each one's).
RECOMMENDATION_SOURCES = ("bag_model", "most_popular", "user_tower")


class RecommendTables(tf.Module):
    """What the top-k signatures read besides the models: ids, titles, what each user has seen, descriptors.

    Args:
        data: the MovieLens data whose users and movies are served.
        seen: `(users, items)` interactions the models were trained on
            (rows in `data.user_ids` order, columns in `data.item_ids` order):
            never recommended again, and each known user's bag of movies.
        vocabulary: the two towers' vocabulary (`user_item_fields`), for the descriptors.
    """

    def __init__(self, data: MovieLens, seen, vocabulary: Vocabulary):
        super().__init__()
        seen = interaction_matrix(seen)
        if seen.shape != (len(data.user_ids), len(data.item_ids)):
            raise ValueError(f"RecommendTables: seen has shape {seen.shape}; expected (users, items) = "
                             f"{(len(data.user_ids), len(data.item_ids))}.")
        self.users, self.items = Vocabulary(data.user_ids.tolist()), Vocabulary(data.titles.tolist())
        self.user_table, self.title_table, self.field_table = self.users.table, self.items.table, vocabulary.table
        self.titles = tf.constant(data.titles.tolist())
        self.seen = tf.Variable((seen > 0).toarray().astype(np.float32), trainable=False, name="seen")
        self.popularity = tf.constant(np.asarray(seen.sum(axis=0), np.float32).ravel())
        self.age_limits = tf.constant([limit for limit, _ in AGE_BANDS], tf.int32)
        self.age_bands = tf.constant([f"age:{band}" for _, band in AGE_BANDS] + ["age:56+"])


def recommend_signatures(bag_model: keras.Model, two_tower: keras.Model, tables: RecommendTables,
                         sample_users, sample_profile: dict) -> dict:
    """`recommend` (user_id, k -> titles, scores, found) and `recommend_for_profile` (a new user's profile, k -> titles).

    `recommend` ranks every movie a known user has not seen by `bag_model` on
    the user's bag of movies. An unknown user is not an error: `found = false`
    and the most chosen movies. `recommend_for_profile` answers a user the
    models have never seen: `gender` (`"M"`/`"F"`), `age` in years, `occupation`
    (MovieLens' names) and `liked_titles` (`(batch, m)` titles as in
    `Star Wars (1977)`, `""` for none): with at least one liked title, by
    `bag_model` on those titles; with none, by the two-tower model's user tower
    from the descriptors alone (the new-user id in the id field). Liked titles
    are never recommended back. Errors name the bad value: an unknown
    gender, occupation or title, a negative or impossible age, a title given
    twice for one user, inputs of different batch sizes, `k` outside `[1, items]`.
    Past the last unseen movie the titles are `""` and the scores 0.

    Scores rank within a row; their scale depends on what answered it, which
    each row's `source` names (one of `RECOMMENDATION_SOURCES`): `"bag_model"` (`bag_model`'s
    output on the user's or the liked movies), `"most_popular"` (how many
    training users chose each movie: an unknown user) or `"user_tower"` (the
    two towers' dot product, a logit: a profile with no liked title).

    Returns:
        name -> `(function, input_signature, (sample inputs, expected outputs))`,
        as `export_for_serving(signatures=...)` takes them.
    """
    items = int(tables.titles.shape[0])

    def k_check(name, k):
        return tf.debugging.Assert((k >= 1) & (k <= items), [f"{name}: k must be in [1, {items}], got", k])

    def top(scores, seen, k):
        best = tf.math.top_k(tf.where(seen > 0, -np.inf, scores), k)
        left = tf.math.is_finite(best.values)  # past the last unseen movie: "" and 0, never a seen title
        return {"titles": tf.where(left, tf.gather(tables.titles, best.indices), ""),
                "scores": tf.where(left, best.values, 0.0)}

    def recommend(user_id, k):
        with tf.control_dependencies([k_check("recommend", k)]):
            user_index = tables.user_table.lookup(user_id)
        found = user_index >= 0
        bags = tf.gather(tables.seen, tf.maximum(user_index, 0)) * tf.cast(found, tf.float32)[:, None]
        scores = tf.where(found[:, None], bag_model(bags, training=False), tables.popularity[None])
        return top(scores, bags, k) | {"found": found, "source": tf.where(found, RECOMMENDATION_SOURCES[0], RECOMMENDATION_SOURCES[1])}

    def recommend_for_profile(gender, age, occupation, liked_titles, k):
        # one row per user in every input: the export checks the batch sizes agree
        ages = tf.debugging.Assert(
            tf.reduce_all((age >= 0) & (age <= OLDEST_AGE)),
            [f"recommend_for_profile: age must be whole years in [0, {OLDEST_AGE}], got",
             tf.boolean_mask(age, (age < 0) | (age > OLDEST_AGE))],
        )
        with tf.control_dependencies([ages, k_check("recommend_for_profile", k)]):
            band = tf.gather(tables.age_bands, tf.searchsorted(tables.age_limits, age, side="right"))
        symbols = [tf.strings.join(["gender:", gender]), band, tf.strings.join(["occupation:", occupation])]
        ids = [tables.field_table.lookup(symbol) for symbol in symbols]
        known = []
        for name, symbol, id_ in zip(("gender", "age", "occupation"), symbols, ids):
            known.append(tf.debugging.Assert(
                tf.reduce_all(id_ > 0),
                [f"recommend_for_profile: unknown {name}", tf.boolean_mask(symbol, id_ <= 0),
                 "; expected one of MovieLens' values (see saved_models/README.md)"],
            ))
        given = tf.not_equal(liked_titles, "")
        liked = tables.title_table.lookup(liked_titles)
        known.append(tf.debugging.Assert(
            tf.reduce_all((liked >= 0) | tf.logical_not(given)),
            ["recommend_for_profile: unknown liked titles", tf.boolean_mask(liked_titles, given & (liked < 0)),
             "; expected titles as in 'Star Wars (1977)'"],
        ))
        with tf.control_dependencies(known):
            onehot = tf.one_hot(tf.where(given, liked, -1), items)  # -1: a row of zeros
        counts = tf.reduce_sum(onehot, axis=1)
        once = tf.debugging.Assert(
            tf.reduce_all(counts <= 1),
            ["recommend_for_profile: a liked title given twice for one user:",
             tf.boolean_mask(tables.titles, tf.reduce_any(counts > 1, axis=0)), "; give each title once"],
        )
        with tf.control_dependencies([once]):
            bags = tf.minimum(counts, 1.0)
        new_user = tf.stack([tf.zeros_like(ids[0]), *ids], axis=1)
        from_tower = two_tower(tf.cast(new_user, tf.int32), training=False)
        has_liked = tf.reduce_any(given, axis=1)
        scores = tf.where(has_liked[:, None], bag_model(bags, training=False), from_tower)
        return top(scores, bags, k) | {"from_liked": has_liked, "source": tf.where(has_liked, RECOMMENDATION_SOURCES[0], RECOMMENDATION_SOURCES[2])}

    recommend_spec = [tf.TensorSpec((None,), tf.string, name="user_id"), tf.TensorSpec((), tf.int32, name="k")]
    profile_spec = [
        tf.TensorSpec((None,), tf.string, name="gender"), tf.TensorSpec((None,), tf.int32, name="age"),
        tf.TensorSpec((None,), tf.string, name="occupation"),
        tf.TensorSpec((None, None), tf.string, name="liked_titles"), tf.TensorSpec((), tf.int32, name="k"),
    ]
    sample_k = np.int32(5)
    users = np.asarray(sample_users, dtype=object)
    profile = {
        "gender": np.asarray(sample_profile["gender"], dtype=object),
        "age": np.asarray(sample_profile["age"], dtype=np.int32),
        "occupation": np.asarray(sample_profile["occupation"], dtype=object),
        "liked_titles": np.asarray(sample_profile["liked_titles"], dtype=object),
    }
    expected_recommend = {name: np.asarray(value) for name, value in recommend(tf.constant(users), sample_k).items()}
    expected_profile = {
        name: np.asarray(value)
        for name, value in recommend_for_profile(*(tf.constant(value) for value in profile.values()), sample_k).items()
    }
    return {
        "serving_default": (recommend, recommend_spec, ({"user_id": users, "k": sample_k}, expected_recommend)),
        "recommend": (recommend, recommend_spec, ({"user_id": users, "k": sample_k}, expected_recommend)),
        "recommend_for_profile": (
            recommend_for_profile, profile_spec, (profile | {"k": sample_k}, expected_profile),
        ),
    }
