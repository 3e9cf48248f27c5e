"""A string where a sequence of symbols is expected is an error naming what to pass, never its characters."""

import functools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_workshop.embeddings import CosineNeighbours, Vocabulary, onehot, write_projector
from keras_workshop.movielens import field_vocabulary, genre_matrix, load_movielens, rating_rows
from keras_workshop.recommenders import RatingTables
from keras_workshop.plots import plot_embedding_map
from keras_workshop.word2vec import skipgram_dataset

# Single letters are symbols here, so taking "abc" as its characters would look like a valid answer.
LETTERS = Vocabulary.from_tokens(list("abcdefghij" * 3) + ["cat", "the cat"])


@functools.cache
def movielens():
    data = load_movielens()
    return data, field_vocabulary(data)


PLACES = {
    "Vocabulary: symbols": lambda text: Vocabulary(text),
    "Vocabulary.from_tokens: tokens": lambda text: Vocabulary.from_tokens(text),
    "onehot: vocabulary": lambda text: onehot("a", text),
    "CosineNeighbours: probes": lambda text: CosineNeighbours("table", LETTERS, text, k=2),
    "CosineNeighbours: vocabulary": lambda text: CosineNeighbours("table", text, ["a"], k=1),
    "write_projector: symbols": lambda text: write_projector(np.eye(len(text) or 1), text, "unused"),
    "plot_embedding_map: symbols": lambda text: plot_embedding_map(np.eye(len(text) or 1), text, "unused"),
    "skipgram_dataset: documents": lambda text: skipgram_dataset(text, LETTERS),
    "skipgram_dataset: documents[1]": lambda text: skipgram_dataset([["a", "b"], text], LETTERS),
    # user "196" as a string would be the users "1", "9" and "6", all of them real
    "rating_rows: users": lambda text: rating_rows(*movielens(), text, ["1"] * len(text)),
    "rating_rows: items": lambda text: rating_rows(*movielens(), ["1"] * len(text), text),
    "RatingTables: user_ids": lambda text: RatingTables(*movielens(), text, ["1"] * len(text), [4.0] * len(text)),
}


@settings(max_examples=40, deadline=None)
@given(place=st.sampled_from(sorted(PLACES)), text=st.one_of(st.text(max_size=50), st.binary(max_size=20)))
def test_a_string_is_refused_where_symbols_are_expected(place, text):
    with pytest.raises(ValueError, match=rf"(?s){re.escape(place)}: got the (string|bytes) .* expected a sequence of symbols"):
        PLACES[place](text)


def test_the_error_says_what_to_pass():
    with pytest.raises(ValueError, match=r"pass \['the cat'\] for one symbol, or 'the cat'.split\(\) for its words"):
        CosineNeighbours("table", LETTERS, "the cat", k=2)
    with pytest.raises(ValueError, match=r"genre_matrix: titles: got the string 'Toy Story \(1995\)'"):
        genre_matrix(load_movielens(), "Toy Story (1995)")


def test_sequences_of_strings_still_work():
    assert Vocabulary(("abc", "d")).symbols == ["abc", "d"]
    assert Vocabulary.from_tokens(iter(["the", "cat", "the"])).symbols == ["the", "cat"]
    assert CosineNeighbours("table", LETTERS, ["the cat", "a"], k=2).probes == ["the cat", "a"]
    assert CosineNeighbours("table", LETTERS, np.array(["cat"]), k=2).probes == ["cat"]
