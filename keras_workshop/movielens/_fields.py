"""A rating row as symbols: user and item ids and their descriptors, in one vocabulary."""

from __future__ import annotations

import numpy as np

from keras_workshop._checks import check_int_in_range, check_not_a_string
from keras_workshop.embeddings import Vocabulary
from keras_workshop.movielens._data import GENRES, MovieLens

GENRE_SLOTS = 6  # the most genres any MovieLens-100k item has
NO_GENRE = "genre:[none]"  # fills the genre slots an item does not use
FIELDS = ("user", "item", "gender", "age", "occupation") + tuple(f"genre{i + 1}" for i in range(GENRE_SLOTS))
# (first age past the band, band) in order; from 56 on, "56+".
OLDEST_AGE = 150  # ages above this are refused as typing mistakes, here and in the served profiles
AGE_BANDS = ((18, "<18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (50, "45-49"), (56, "50-55"))


def age_band(age: int) -> str:
    """MovieLens' age groups (as in MovieLens-1M): `<18`, `18-24`, ..., `50-55`, `56+`.

    `age` is whole years in `[0, OLDEST_AGE]` (150): anything else is a
    `ValueError` naming it, as the served `recommend_for_profile` refuses it.

    Example:

    >>> age_band(24), age_band(56)
    ('18-24', '56+')
    """
    check_int_in_range(age, 0, OLDEST_AGE, "age", "age_band")
    return next((band for limit, band in AGE_BANDS if age < limit), "56+")


def field_symbols(data: MovieLens) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The symbols of each user's and each item's fields: `({user id: [...]}, {item id: [...]})`.

    A user's fields are `user:<id>`, `gender:<M|F>`, `age:<band>` and
    `occupation:<name>`; an item's are `item:<id>` and `genre:<name>` for each
    of its genres, then `genre:[none]` up to `GENRE_SLOTS`.
    """
    users = {
        user: [f"user:{user}", f"gender:{gender}", f"age:{age_band(age)}", f"occupation:{occupation}"]
        for user, gender, age, occupation in zip(data.user_ids, data.genders, data.ages, data.occupations)
    }
    items = {
        item: [f"item:{item}"] + [f"genre:{g}" for g in genres] + [NO_GENRE] * (GENRE_SLOTS - len(genres))
        for item, genres in zip(data.item_ids, data.genres)
    }
    return users, items


def field_vocabulary(data: MovieLens) -> Vocabulary:
    """One vocabulary of every user, item and descriptor symbol (ids, then descriptors).

    Example:

    >>> from keras_workshop.movielens import load_movielens
    >>> vocabulary = field_vocabulary(load_movielens())
    >>> len(vocabulary), vocabulary.ids(["user:196", "item:242", "genre:Comedy"]).tolist()
    (2657, [195, 1184, 2642])
    """
    users, items = field_symbols(data)
    symbols = [f"user:{u}" for u in data.user_ids] + [f"item:{i}" for i in data.item_ids]
    descriptors = sorted({s for fields in users.values() for s in fields[1:]})
    descriptors += [f"genre:{g}" for g in GENRES] + [NO_GENRE]
    return Vocabulary(symbols + descriptors)


def rating_rows(data: MovieLens, vocabulary: Vocabulary, users, items) -> np.ndarray:
    """The ids of each (user, item) pair's fields in `FIELDS` order, `(pairs, len(FIELDS))` int32.

    Raises:
        ValueError: naming a user or item id that `data` does not have; `users`
            and `items` of different lengths, or one string instead of a
            sequence of ids.
    """
    check_not_a_string(users, "rating_rows: users")
    check_not_a_string(items, "rating_rows: items")
    if len(users) != len(items):
        raise ValueError(f"rating_rows: got {len(users)} users and {len(items)} items; expected one item per user.")
    user_fields, item_fields = field_symbols(data)
    user_ids = {user: vocabulary.ids(fields) for user, fields in user_fields.items()}
    item_ids = {item: vocabulary.ids(fields) for item, fields in item_fields.items()}
    rows = np.empty((len(users), len(FIELDS)), dtype=np.int32)
    for position, (user, item) in enumerate(zip(users, items)):
        if user not in user_ids or item not in item_ids:
            bad = f"user {user!r}" if user not in user_ids else f"item {item!r}"
            raise ValueError(f"rating_rows: {bad} is not in MovieLens ({data.source}).")
        user_row, item_row = user_ids[user], item_ids[item]
        rows[position, 0], rows[position, 1] = user_row[0], item_row[0]
        rows[position, 2:5], rows[position, 5:] = user_row[1:], item_row[1:]
    return rows


NEW_USER = "user:[new]"  # the id field of a user the two-tower model has not seen


def user_item_fields(data: MovieLens) -> tuple[Vocabulary, np.ndarray, np.ndarray]:
    """The two towers' symbols as ids: `(vocabulary, user_fields, item_fields)`.

    The vocabulary is `field_vocabulary`'s symbols after id 0, `NEW_USER`: the
    id a user unknown to the model gets in its id field. `user_fields` is
    `(users, 4)` int32 (`user:<id>`, gender, age band, occupation, in
    `data.user_ids` order); `item_fields` `(items, 1 + GENRE_SLOTS)` int32
    (`item:<id>` and the genre slots, in `data.item_ids` order).

    Example:

    >>> from keras_workshop.movielens import load_movielens
    >>> vocabulary, users, items = user_item_fields(load_movielens())
    >>> vocabulary.to_symbols(users[0]).tolist(), items.shape
    (['user:1', 'gender:M', 'age:18-24', 'occupation:technician'], (1664, 7))
    """
    vocabulary = Vocabulary(field_vocabulary(data).symbols, oov="token", oov_token=NEW_USER)
    user_symbols, item_symbols = field_symbols(data)
    users = np.stack([vocabulary.ids(user_symbols[user]) for user in data.user_ids]).astype(np.int32)
    items = np.stack([vocabulary.ids(item_symbols[item]) for item in data.item_ids]).astype(np.int32)
    return vocabulary, users, items


def every_pair_rows(data: MovieLens, vocabulary: Vocabulary) -> np.ndarray:
    """`rating_rows` of every (user, item) pair, user by user: `(users * items, len(FIELDS))` int32.

    Row `u * items + i` is user `data.user_ids[u]` with item `data.item_ids[i]`:
    a rating model's predictions, reshaped to `(users, items)`, rank every movie
    for every user.

    Example:

    >>> from keras_workshop.movielens import load_movielens
    >>> data = load_movielens()
    >>> vocabulary = field_vocabulary(data)
    >>> rows = every_pair_rows(data, vocabulary)
    >>> bool((rows[5 * 1664 + 7] == rating_rows(data, vocabulary, [data.user_ids[5]], [data.item_ids[7]])[0]).all())
    True
    """
    user_rows = rating_rows(data, vocabulary, data.user_ids, [data.item_ids[0]] * len(data.user_ids))
    item_rows = rating_rows(data, vocabulary, [data.user_ids[0]] * len(data.item_ids), data.item_ids)
    users, items = len(user_rows), len(item_rows)
    rows = np.empty((users, items, len(FIELDS)), dtype=np.int32)
    rows[:, :, [0, 2, 3, 4]] = user_rows[:, None, [0, 2, 3, 4]]
    rows[:, :, [1, *range(5, len(FIELDS))]] = item_rows[None, :, [1, *range(5, len(FIELDS))]]
    return rows.reshape(users * items, len(FIELDS))
