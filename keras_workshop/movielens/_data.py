"""MovieLens-100k from the copy inside the recbole wheel, or from a GroupLens `ml-100k` folder."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re

import numpy as np

# The 19 genres in GroupLens' u.item flag order.
GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)
HOW_TO_GET = (
    "MovieLens-100k was not found. Either install the copy inside the recbole wheel "
    "(pip install --no-deps recbole==1.2.1; `make setup` does it), or pass --data DIR with a GroupLens "
    "ml-100k folder (u.data, u.item, u.user) from https://grouplens.org/datasets/movielens/100k/."
)
_YEAR = re.compile(r"\((\d{4})\)")


@dataclasses.dataclass(frozen=True)
class MovieLens:
    """MovieLens-100k: ratings, and the items and users they name.

    Ids are strings, as written in the files (`"196"`). Each rating array has
    one entry per rating, in file order; each item array one entry per item,
    each user array one per user, in id order.

    Attributes:
        rating_users, rating_items: `(ratings,)` str ids.
        ratings: `(ratings,)` float32 stars, 1 to 5, as written (half stars such as 3.5 stay as they are).
        timestamps: `(ratings,)` int64 seconds.
        item_ids: `(items,)` str. titles: display titles as users know them,
            `"Star Wars (1977)"`, unique (see `load_movielens`).
        years: `(items,)` int release years, 0 where unknown.
        genres: one tuple of genre names per item, in `GENRES` order.
        user_ids, ages, genders, occupations: `(users,)` arrays.
        source: the folder read.
        merged_ids: `{id: kept id}` for each item id merged into another
            because both name the same film (see `load_movielens`).
    """

    rating_users: np.ndarray
    rating_items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray
    item_ids: np.ndarray
    titles: np.ndarray
    years: np.ndarray
    genres: tuple
    user_ids: np.ndarray
    ages: np.ndarray
    genders: np.ndarray
    occupations: np.ndarray
    source: str
    merged_ids: dict = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"MovieLens({len(self.ratings)} ratings, {len(self.user_ids)} users, {len(self.item_ids)} items, "
            f"source={self.source!r})"
        )


def recbole_folder() -> str | None:
    """The `ml-100k` folder inside the installed recbole wheel (found without importing recbole), or None."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "dataset_example", "ml-100k")
    return folder if os.path.isfile(os.path.join(folder, "ml-100k.inter")) else None


def load_movielens(data_dir: str | None = None) -> MovieLens:
    """Reads MovieLens-100k: a GroupLens `ml-100k` folder, or by default recbole's copy.

    Both sources give the same ratings, titles, genres and user descriptors.
    Titles read as users know them, with the year: `"Star Wars (1977)"`
    (recbole's copy keeps the year apart and spells item 267's title
    `"unkonwn"`: it becomes `"unknown"`, as in GroupLens' file).

    A film is its title (with its year): ids that share one are one film.
    MovieLens-100k lists 18 films under two ids each (1682 ids, 1664 films;
    `Chasing Amy (1997)` is items 246 and 268). Each such film keeps its first
    id, its other id's ratings move to it, and where a user rated it under both
    ids the later rating stands (the first in file order on a tie): 307
    ratings go, 99,693 remain. `merged_ids` says where each id went
    (`{"268": "246", ...}`); a merged id is no longer an item. So no model,
    split or export can recommend a film a user rated under its other id, and
    titles are unique.

    Args:
        data_dir: a folder holding `u.data`, `u.item` and `u.user` (GroupLens),
            or `ml-100k.inter`, `ml-100k.item` and `ml-100k.user` (recbole's atomic
            files). None: recbole's copy.

    Raises:
        FileNotFoundError: no data (the message says how to get it), or a missing file.
        ValueError: a malformed line, naming the file, the line number and what was expected,
            or a rating of an unknown user or item.

    Example:

    >>> data = load_movielens()
    >>> data
    MovieLens(99693 ratings, 943 users, 1664 items, source='...ml-100k')
    >>> data.titles[data.item_ids == "50"].tolist(), data.genres[49]
    (['Star Wars (1977)'], ('Action', 'Adventure', 'Romance', 'Sci-Fi', 'War'))
    >>> data.merged_ids["268"], data.titles[data.item_ids == "246"].tolist()
    ('246', ['Chasing Amy (1997)'])
    """
    folder = data_dir if data_dir is not None else recbole_folder()
    if folder is None:
        raise FileNotFoundError(HOW_TO_GET)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder!r} is not a folder. {HOW_TO_GET}")
    if os.path.exists(os.path.join(folder, "u.data")):
        ratings, items, users = _read_grouplens(folder)
    elif os.path.exists(os.path.join(folder, "ml-100k.inter")):
        ratings, items, users = _read_recbole(folder)
    else:
        raise FileNotFoundError(f"{folder!r} has neither u.data (GroupLens) nor ml-100k.inter (recbole). {HOW_TO_GET}")
    return _assemble(folder, ratings, items, users)


def _lines(path: str, encoding: str = "utf-8"):
    """Yields `(line number, line)` of a text file, newline stripped; blank lines may only end it."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file. {HOW_TO_GET}")
    blank = None
    with open(path, "rb") as file:
        for number, raw in enumerate(file, 1):
            try:
                line = raw.decode(encoding).rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}, line {number}: expected {encoding} text, got {raw[:40]!r} ({error.reason})") from None
            if not line.strip():
                blank = blank or number
                continue
            if blank:
                raise ValueError(f"{path}, line {blank}: expected a record, got a blank line")
            yield number, line


def _fields(path, number, line, separator, count, expected, at_least=False):
    fields = line.split(separator)
    if len(fields) != count and not (at_least and len(fields) > count):
        raise ValueError(
            f"{path}, line {number}: expected {expected} ({count} fields separated by {separator!r}), "
            f"got {len(fields)} field(s): {line[:80]!r}"
        )
    return fields


def _number(path, number, text, kind, what):
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{path}, line {number}: expected {what}, got {text!r}") from None


def _rating(path, number, fields):
    user, item, stars, timestamp = fields
    stars = _number(path, number, stars, float, "a rating from 1 to 5")
    if not 1 <= stars <= 5:
        raise ValueError(f"{path}, line {number}: expected a rating from 1 to 5, got {fields[2]!r}")
    seconds = _number(path, number, timestamp, float, "a timestamp in seconds")
    if not (user.strip() and item.strip()):
        raise ValueError(f"{path}, line {number}: expected a user id and an item id, got {fields[:2]!r}")
    return user.strip(), item.strip(), stars, int(seconds)


def _read_grouplens(folder):
    ratings_path, items_path, users_path = (os.path.join(folder, name) for name in ("u.data", "u.item", "u.user"))
    ratings = [
        _rating(ratings_path, n, _fields(ratings_path, n, line, "\t", 4, "user id, item id, rating, timestamp"))
        for n, line in _lines(ratings_path)
    ]
    items = []
    for n, line in _lines(items_path, "latin-1"):
        fields = _fields(items_path, n, line, "|", 24, "id|title|release date|video date|IMDb URL|19 genre flags")
        flags = fields[5:]
        if any(flag not in ("0", "1") for flag in flags):
            raise ValueError(f"{items_path}, line {n}: expected 19 genre flags of 0 or 1, got {flags!r}")
        title = fields[1].strip()
        items.append((fields[0].strip(), title, _year(title), tuple(g for g, flag in zip(GENRES, flags) if flag == "1")))
    users = [
        _user(users_path, n, _fields(users_path, n, line, "|", 5, "id|age|gender|occupation|zip code"))
        for n, line in _lines(users_path, "latin-1")
    ]
    return ratings, items, users


def _year(title: str) -> int:
    """The release year in a display title (its last "(1995)"), 0 when it has none."""
    years = _YEAR.findall(title)
    return int(years[-1]) if years else 0


def _user(path, number, fields):
    user, age, gender, occupation, _ = (field.strip() for field in fields)
    age = _number(path, number, age, int, "an age in years")
    if gender not in ("M", "F"):
        raise ValueError(f"{path}, line {number}: expected gender M or F, got {gender!r}")
    return user, age, gender, occupation


def _read_recbole(folder):
    paths = [os.path.join(folder, f"ml-100k.{kind}") for kind in ("inter", "item", "user")]
    headers = (
        "user_id:token\titem_id:token\trating:float\ttimestamp:float",
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq",
        "user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token",
    )
    rows = []
    for path, header in zip(paths, headers):
        lines = _lines(path)
        first = next(lines, (1, ""))
        if first[1] != header:
            raise ValueError(f"{path}, line {first[0]}: expected the header {header!r}, got {first[1][:80]!r}")
        rows.append(list(lines))
    ratings_path, items_path, users_path = paths
    ratings = [_rating(ratings_path, n, _fields(ratings_path, n, line, "\t", 4, "user, item, rating, timestamp"))
               for n, line in rows[0]]
    items = []
    for n, line in rows[1]:
        item, title, year, genres = _fields(items_path, n, line, "\t", 4, "item id, title, year, genres")
        genres = tuple(genres.split())
        if not genres or any(genre not in GENRES for genre in genres):
            raise ValueError(f"{items_path}, line {n}: expected genres among {GENRES}, got {genres!r}")
        if title == "unkonwn":  # recbole's spelling of GroupLens' "unknown" (item 267)
            title, year = "unknown", ""
        # GroupLens' titles end with "(year)"; recbole moved it to its own field, and for item 1412
        # ("... (1995) (V)" in GroupLens) it moved the "V".
        shown = f"{title} ({year})" if year else title
        items.append((item, shown, _year(shown), tuple(g for g in GENRES if g in genres)))
    users = [_user(users_path, n, _fields(users_path, n, line, "\t", 5, "user, age, gender, occupation, zip"))
             for n, line in rows[2]]
    return ratings, items, users


def _assemble(folder, ratings, items, users) -> MovieLens:
    item_ids = [item[0] for item in items]
    user_ids = [user[0] for user in users]
    for ids, what, path in ((item_ids, "item", "items file"), (user_ids, "user", "users file")):
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"{folder}: {what} id {duplicate!r} appears twice in the {path}.")
    known_items, known_users = set(item_ids), set(user_ids)
    for position, (user, item, _, _) in enumerate(ratings):
        if user not in known_users or item not in known_items:
            name = "u.data" if os.path.exists(os.path.join(folder, "u.data")) else "ml-100k.inter"
            line = position + (1 if name == "u.data" else 2)
            bad = f"user {user!r}" if user not in known_users else f"item {item!r}"
            raise ValueError(
                f"{os.path.join(folder, name)}, line {line}: {bad} is not in the "
                f"{'users' if user not in known_users else 'items'} file; expected ids listed there."
            )
    if not ratings:
        raise ValueError(f"{folder}: the ratings file has no ratings.")
    items, ratings, merged_ids = _one_id_per_film(items, ratings)
    users_arrays = list(zip(*users))
    return MovieLens(
        rating_users=np.array([r[0] for r in ratings]),
        rating_items=np.array([r[1] for r in ratings]),
        ratings=np.array([r[2] for r in ratings], dtype=np.float32),
        timestamps=np.array([r[3] for r in ratings], dtype=np.int64),
        item_ids=np.array([item[0] for item in items]),
        titles=np.array([item[1] for item in items]),
        years=np.array([item[2] for item in items], dtype=np.int64),
        genres=tuple(item[3] for item in items),
        user_ids=np.array(user_ids),
        ages=np.array(users_arrays[1], dtype=np.int64),
        genders=np.array(users_arrays[2]),
        occupations=np.array(users_arrays[3]),
        source=folder,
        merged_ids=merged_ids,
    )


def _one_id_per_film(items, ratings):
    """Items and ratings with one id per title: the first id stays, a user's later rating of the film stands."""
    kept_id, merged_ids = {}, {}
    for item, title, _, _ in items:
        if title in kept_id:
            merged_ids[item] = kept_id[title]
        else:
            kept_id[title] = item
    if not merged_ids:
        return items, ratings, merged_ids
    ratings = [(user, merged_ids.get(item, item), stars, seconds) for user, item, stars, seconds in ratings]
    latest = {}
    for position, (user, item, _, seconds) in enumerate(ratings):
        key = (user, item)
        if key not in latest or seconds > ratings[latest[key]][3]:
            latest[key] = position
    keep = sorted(latest.values())
    return [item for item in items if item[0] not in merged_ids], [ratings[i] for i in keep], merged_ids
