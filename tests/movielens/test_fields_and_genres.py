"""Users, items and descriptors in one vocabulary; the genre-sharing metric on planted examples."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.movielens import (
    FIELDS,
    OLDEST_AGE,
    age_band,
    field_vocabulary,
    genre_baselines,
    genre_matrix,
    genre_share,
    liked_sequences,
    load_movielens,
    rating_rows,
)
from tests.movielens.test_data import write_grouplens


@functools.cache
def movielens():
    return load_movielens()


@pytest.fixture
def small(tmp_path):
    return load_movielens(write_grouplens(str(tmp_path)))


def test_one_vocabulary_holds_ids_and_descriptors_and_a_row_is_every_field(small):
    vocabulary = field_vocabulary(small)
    kinds = {symbol.split(":")[0] for symbol in vocabulary.symbols}
    assert kinds == {"user", "item", "gender", "age", "occupation", "genre"}
    rows = rating_rows(small, vocabulary, ["3", "1"], ["5", "1"])
    assert rows.shape == (2, len(FIELDS)) and rows.dtype == np.int32
    assert vocabulary.to_symbols(rows[0]).tolist() == [
        "user:3", "item:5", "gender:M", "age:<18", "occupation:student",
        "genre:Animation", "genre:Children's", "genre:[none]", "genre:[none]", "genre:[none]", "genre:[none]",
    ]
    assert vocabulary.to_symbols(rows[1]).tolist()[:7] == [
        "user:1", "item:1", "gender:M", "age:18-24", "occupation:technician", "genre:Animation", "genre:Children's",
    ]
    with pytest.raises(ValueError, match="item '42' is not in MovieLens"):
        rating_rows(small, vocabulary, ["1"], ["42"])


@pytest.mark.parametrize("age, band", [(1, "<18"), (17, "<18"), (18, "18-24"), (34, "25-34"), (49, "45-49"),
                                       (55, "50-55"), (56, "56+"), (90, "56+")])
def test_age_bands(age, band):
    assert age_band(age) == band


def test_liked_sequences_keep_time_order_and_drop_low_ratings(small):
    # ratings: user 1 rated item 1 (5 stars, t=881250949) and item 4 (4 stars, t=880606923)
    assert liked_sequences(small) == [["unknown", "Toy Story (1995)"]]
    assert liked_sequences(small, min_rating=1) == [
        ["unknown", "Toy Story (1995)"], ["Chasing Amy (1997)"],
        ["Land Before Time III: The Time of the Great Giving (1995) (V)"],
    ]


def test_genre_share_on_a_planted_example(small):
    genres = genre_matrix(small, small.titles.tolist())
    # 0 Toy Story (Animation, Children's, Comedy), 1 Chasing Amy and 2 Dogma (Drama, Romance), 3 unknown, 4 Land Before Time
    assert genre_share(genres, [0], [[4, 1]]) == 0.5
    assert genre_share(genres, [1, 2], [[2, 0], [1, 0]]) == 0.5
    assert genre_share(genres, [3], [[0, 1]]) == 0.0
    with pytest.raises(ValueError, match=r"expected neighbour ids of shape \(queries, k\)"):
        genre_share(genres, [0, 1], [[1, 2]])
    with pytest.raises(ValueError, match="not in MovieLens"):
        genre_matrix(small, ["Toy Story"])


def test_baselines_skip_the_query_and_rank_by_popularity(small):
    genres = genre_matrix(small, small.titles.tolist())
    popularity = np.array([10, 9, 1, 1, 8])  # most rated: 0, 1, 4
    shares = genre_baselines(genres, [0, 1], popularity, k=2)
    # most popular without itself: 0 -> (1, 4): 1 of 2 shares; 1 -> (0, 4): none
    assert shares["most popular"] == 0.25
    assert 0 <= shares["random pairs"] <= 1


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=OLDEST_AGE + 1), st.floats(), st.booleans(),
                 st.none(), st.text(max_size=2)))
def test_age_band_refuses_what_is_not_an_age_as_the_served_profiles_do(age):
    with pytest.raises(ValueError, match=r"age_band: `age` must be an integer in \[0, 150\]"):
        age_band(age)


@settings(deadline=None)  # the first example reads MovieLens
@given(st.one_of(st.sampled_from([float("nan"), float("inf"), -float("inf")]), st.booleans(), st.none(), st.text(max_size=2)))
def test_liked_sequences_refuse_a_threshold_that_is_not_a_number(min_rating):
    with pytest.raises(ValueError, match="liked_sequences: `min_rating` must be a finite number"):
        liked_sequences(movielens(), min_rating=min_rating)


def test_a_threshold_above_every_rating_likes_nothing():
    assert liked_sequences(movielens(), min_rating=6) == []
