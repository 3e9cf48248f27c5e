"""Served rating signatures: ids as written in u.data in, ratings and recommended titles out."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_workshop._checks import check_not_a_string
from keras_workshop.embeddings import Vocabulary
from keras_workshop.movielens import MovieLens, field_symbols

PRIOR_RATINGS = 10  # pseudo-ratings at the global mean in each fallback mean


class RatingTables(tf.Module):
    """What the rating signatures read besides the model: ids, fields, titles, what was rated, fallbacks.

    Args:
        data: the MovieLens data whose users and items are served.
        vocabulary: the model's field vocabulary (`field_vocabulary`).
        user_ids, item_ids, ratings: the ratings the model was trained on: they
            give what each user has rated (left out of recommendations) and the
            fallbacks: each item's and each user's mean rating, shrunk toward the
            global mean by `PRIOR_RATINGS` pseudo-ratings (a movie rated 5 once is
            not ranked above one rated 4.5 by hundreds), and the global mean.
    """

    def __init__(self, data: MovieLens, vocabulary: Vocabulary, user_ids, item_ids, ratings):
        super().__init__()
        users, items = field_symbols(data)
        self.users, self.items = Vocabulary(data.user_ids.tolist()), Vocabulary(data.item_ids.tolist())
        self.user_table, self.item_table = self.users.table, self.items.table
        self.user_fields = tf.constant(np.stack([vocabulary.ids(users[u]) for u in data.user_ids]).astype(np.int32))
        self.item_fields = tf.constant(np.stack([vocabulary.ids(items[i]) for i in data.item_ids]).astype(np.int32))
        self.titles = tf.constant(data.titles.tolist())
        for name, values in (("user_ids", user_ids), ("item_ids", item_ids)):
            check_not_a_string(values, f"RatingTables: {name}")
        if not len(user_ids) == len(item_ids) == len(ratings):
            raise ValueError(f"RatingTables: got {len(user_ids)} user ids, {len(item_ids)} item ids and "
                             f"{len(ratings)} ratings; expected one of each per rating.")
        rows, columns = self.users.ids(list(user_ids)), self.items.ids(list(item_ids))
        rated = np.zeros((len(data.user_ids), len(data.item_ids)), dtype=bool)
        rated[rows, columns] = True
        self.rated = tf.Variable(rated, trainable=False, name="rated")
        ratings = np.asarray(ratings, dtype=np.float64)
        self.global_mean = float(ratings.mean())
        self.user_mean = tf.constant(_means(rows, ratings, len(data.user_ids), self.global_mean), tf.float32)
        self.item_mean = tf.constant(_means(columns, ratings, len(data.item_ids), self.global_mean), tf.float32)


def _means(groups, ratings, count, default) -> np.ndarray:
    """Each group's mean rating with `PRIOR_RATINGS` pseudo-ratings of `default` added."""
    totals = np.bincount(groups, ratings, minlength=count) + PRIOR_RATINGS * default
    return totals / (np.bincount(groups, minlength=count) + PRIOR_RATINGS)


def rating_signatures(model: keras.Model, tables: RatingTables, sample_users, sample_items) -> dict:
    """`serving_default` (user_id, item_id -> rating, found) and `recommend` (user_id, k -> titles, ratings, found).

    Ratings are clipped to [1, 5]. `user_id` and `item_id` of different
    lengths fail with an error naming both lengths. An unknown user or item is not an error: its
    rating is the documented fallback, `found = false`: the user's (shrunk)
    mean rating for an unknown item, the item's (shrunk) mean for an unknown
    user, the global mean when both are unknown. `recommend` leaves out what
    the user rated; for an unknown user it ranks every movie by its shrunk mean. `k` outside
    `[1, items]` fails with an error naming it; past the last movie a user has
    not rated, the titles are `""` and the ratings 0. Each signature comes with a
    sample request and its expected outputs, from running the signature eagerly in
    Python, for `check_export` to compare with what TensorFlow's C++ loader returns
    (the tests compare the signatures with Keras' `predict` and NumPy).
    """
    items = int(tables.item_fields.shape[0])

    def field_rows(user_index, item_index):
        user_fields = tf.gather(tables.user_fields, user_index)
        item_fields = tf.gather(tables.item_fields, item_index)
        return tf.concat([user_fields[:, :1], item_fields[:, :1], user_fields[:, 1:], item_fields[:, 1:]], axis=1)

    def predict(user_index, item_index):
        return tf.clip_by_value(tf.reshape(model(field_rows(user_index, item_index), training=False), [-1]), 1.0, 5.0)

    def rate(user_id, item_id):  # one item_id per user_id: the export checks the batch sizes agree
        user_index, item_index = tables.user_table.lookup(user_id), tables.item_table.lookup(item_id)
        known_user, known_item = user_index >= 0, item_index >= 0
        rating = predict(tf.maximum(user_index, 0), tf.maximum(item_index, 0))
        fallback = tf.where(
            known_user, tf.gather(tables.user_mean, tf.maximum(user_index, 0)),
            tf.where(known_item, tf.gather(tables.item_mean, tf.maximum(item_index, 0)), tables.global_mean),
        )
        found = known_user & known_item
        return {"rating": tf.where(found, rating, fallback), "found": found}

    def recommend(user_id, k):
        check = tf.debugging.Assert(
            (k >= 1) & (k <= items), [f"recommend: k must be in [1, {items}], got", k]
        )
        with tf.control_dependencies([check]):
            user_index = tables.user_table.lookup(user_id)
        found = user_index >= 0
        users = tf.maximum(user_index, 0)
        batch = tf.shape(users)[0]
        every_item = tf.tile(tf.range(items, dtype=tf.int64)[None], [batch, 1])
        scores = tf.reshape(predict(tf.repeat(users, items), tf.reshape(every_item, [-1])), [batch, items])
        scores = tf.where(found[:, None], scores, tables.item_mean[None])
        unrated = tf.logical_not(tf.gather(tables.rated, users)) | tf.logical_not(found)[:, None]
        top = tf.math.top_k(tf.where(unrated, scores, -np.inf), k)
        # Past the user's last unrated movie (k larger than what is left): title "" and rating 0, not a rated title.
        left = tf.math.is_finite(top.values)
        return {"titles": tf.where(left, tf.gather(tables.titles, top.indices), ""),
                "ratings": tf.where(left, top.values, 0.0), "found": found}

    rate_spec = [tf.TensorSpec((None,), tf.string, name="user_id"), tf.TensorSpec((None,), tf.string, name="item_id")]
    recommend_spec = [tf.TensorSpec((None,), tf.string, name="user_id"), tf.TensorSpec((), tf.int32, name="k")]
    expected_rate = {
        name: np.asarray(value) for name, value in rate(tf.constant(sample_users), tf.constant(sample_items)).items()
    }
    sample_k = np.int32(3)
    expected_recommend = {
        name: np.asarray(value) for name, value in recommend(tf.constant(sample_users), tf.constant(sample_k)).items()
    }
    return {
        "serving_default": (
            rate, rate_spec,
            ({"user_id": np.asarray(sample_users, dtype=object), "item_id": np.asarray(sample_items, dtype=object)},
             expected_rate),
        ),
        "recommend": (
            recommend, recommend_spec,
            ({"user_id": np.asarray(sample_users, dtype=object), "k": sample_k}, expected_recommend),
        ),
    }
