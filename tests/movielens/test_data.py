"""MovieLens readers: GroupLens and recbole files give the same data; bad files name file and line."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keras_workshop.movielens import GENRES, HOW_TO_GET, load_movielens, recbole_folder

# Five movies (one is recbole's "unkonwn", one has the "V" year), three users; SECOND_ID lists a film again.
MOVIES = [
    ("1", "Toy Story", "1995", ("Animation", "Children's", "Comedy")),
    ("2", "Chasing Amy", "1997", ("Drama", "Romance")),
    ("3", "Dogma", "1999", ("Drama", "Romance")),
    ("4", "unkonwn", "unkonwn", ("unknown",)),
    ("5", "Land Before Time III: The Time of the Great Giving (1995)", "V", ("Animation", "Children's")),
]
USERS = [("1", 24, "M", "technician", "85711"), ("2", 53, "F", "other", "94043"), ("3", 17, "M", "student", "32067")]
SECOND_ID = ("6", "Chasing Amy", "1997", ("Drama", "Romance"))
RATINGS = [("1", "1", 5, 881250949), ("2", "2", 3, 891717742), ("3", "5", 1, 878887116), ("1", "4", 4, 880606923)]


def grouplens_title(title, year):
    if title == "unkonwn":
        return "unknown"
    return f"{title} ({year})"


def write_grouplens(folder, movies=MOVIES):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "u.data"), "w") as file:
        file.writelines(f"{u}\t{i}\t{r}\t{t}\n" for u, i, r, t in RATINGS)
    with open(os.path.join(folder, "u.item"), "w", encoding="latin-1") as file:
        for item, title, year, genres in movies:
            flags = "|".join("1" if g in genres else "0" for g in GENRES)
            date = "" if year == "unkonwn" else f"01-Jan-{year}"
            file.write(f"{item}|{grouplens_title(title, year)}|{date}||http://imdb/{item}|{flags}\n")
    with open(os.path.join(folder, "u.user"), "w", encoding="latin-1") as file:
        file.writelines(f"{u}|{a}|{g}|{o}|{z}\n" for u, a, g, o, z in USERS)
    return folder


def write_recbole(folder, movies=MOVIES):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "ml-100k.inter"), "w") as file:
        file.write("user_id:token\titem_id:token\trating:float\ttimestamp:float\n")
        file.writelines(f"{u}\t{i}\t{r}\t{t}\n" for u, i, r, t in RATINGS)
    with open(os.path.join(folder, "ml-100k.item"), "w") as file:
        file.write("item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n")
        file.writelines(f"{item}\t{title}\t{year}\t{' '.join(genres)}\n" for item, title, year, genres in movies)
    with open(os.path.join(folder, "ml-100k.user"), "w") as file:
        file.write("user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n")
        file.writelines(f"{u}\t{a}\t{g}\t{o}\t{z}\n" for u, a, g, o, z in USERS)
    return folder


def test_both_formats_give_the_same_data_with_titles_as_users_know_them(tmp_path):
    grouplens = load_movielens(write_grouplens(str(tmp_path / "grouplens"), MOVIES + [SECOND_ID]))
    recbole = load_movielens(write_recbole(str(tmp_path / "recbole"), MOVIES + [SECOND_ID]))
    for field in ("rating_users", "rating_items", "ratings", "timestamps", "item_ids", "titles", "years",
                  "user_ids", "ages", "genders", "occupations"):
        np.testing.assert_array_equal(getattr(grouplens, field), getattr(recbole, field), err_msg=field)
    assert grouplens.genres == recbole.genres == tuple(genres for _, _, _, genres in MOVIES)
    assert grouplens.titles.tolist() == [
        "Toy Story (1995)", "Chasing Amy (1997)", "Dogma (1999)", "unknown",
        "Land Before Time III: The Time of the Great Giving (1995) (V)",
    ]
    assert grouplens.item_ids.tolist() == ["1", "2", "3", "4", "5"]
    assert grouplens.merged_ids == recbole.merged_ids == {"6": "2"}
    assert grouplens.years.tolist() == [1995, 1997, 1999, 0, 1995]
    assert grouplens.ratings.dtype == np.float32 and grouplens.ratings.tolist() == [5, 3, 1, 4]


def test_the_copy_inside_the_recbole_wheel():
    assert recbole_folder() is not None, HOW_TO_GET
    data = load_movielens()
    assert (len(data.ratings), len(data.user_ids), len(data.item_ids)) == (100_000 - 307, 943, 1682 - 18)
    titles = dict(zip(data.item_ids.tolist(), data.titles.tolist()))
    assert [titles[i] for i in ("50", "1", "100", "64", "288")] == [
        "Star Wars (1977)", "Toy Story (1995)", "Fargo (1996)", "Shawshank Redemption, The (1994)", "Scream (1996)",
    ]
    assert titles["267"] == "unknown"
    assert len(set(data.titles)) == len(data.titles)  # one id per film
    assert len(data.merged_ids) == 18 and data.merged_ids["268"] == "246"
    assert not set(data.merged_ids) & set(data.rating_items.tolist())
    pairs = list(zip(data.rating_users.tolist(), data.rating_items.tolist()))
    assert len(set(pairs)) == len(pairs)  # one rating per user and film
    assert set(data.ratings.tolist()) == {1, 2, 3, 4, 5}
    assert sorted(set(data.occupations)) [:3] == ["administrator", "artist", "doctor"]


def test_a_film_listed_under_two_ids_is_one_film_rated_once_per_user(tmp_path):
    folder = write_grouplens(str(tmp_path), MOVIES + [SECOND_ID])
    with open(os.path.join(folder, "u.data"), "a") as file:
        # user 2 rates Chasing Amy again under id 6, later (this rating stands), then earlier under id 2 again;
        # user 3 rates it under id 6 only (the rating moves to id 2)
        file.write("2\t6\t5\t891717800\n2\t2\t1\t891717000\n3\t6\t2\t878887000\n")
    data = load_movielens(folder)
    rated = {(u, i): (r, t) for u, i, r, t in zip(data.rating_users.tolist(), data.rating_items.tolist(),
                                                    data.ratings.tolist(), data.timestamps.tolist())}
    assert len(rated) == len(data.ratings) == 5
    assert rated[("2", "2")] == (5, 891717800) and rated[("3", "2")] == (2, 878887000)
    assert "6" not in data.item_ids.tolist() and data.merged_ids == {"6": "2"}
    assert data.titles.tolist().count("Chasing Amy (1997)") == 1


def test_missing_data_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="pip install --no-deps recbole==1.2.1.*--data DIR"):
        load_movielens(str(tmp_path))
    write_grouplens(str(tmp_path))
    os.remove(tmp_path / "u.user")
    with pytest.raises(FileNotFoundError, match="u.user: no such file"):
        load_movielens(str(tmp_path))


def corrupt(path, line_number, text):
    """Replaces one line with `text`, written as UTF-8 bytes (not valid latin-1 text for u.item, u.user)."""
    with open(path, "rb") as file:
        lines = file.readlines()
    lines[line_number - 1] = text.encode() + b"\n"
    with open(path, "wb") as file:
        file.writelines(lines)


junk = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(["grouplens", "recbole"]), kind=st.sampled_from(["ratings", "items", "users"]),
       row=st.integers(0, 2), text=junk)
def test_a_malformed_line_is_named_by_file_and_line(tmp_path_factory, fmt, kind, row, text):
    folder = str(tmp_path_factory.mktemp(fmt))
    (write_grouplens if fmt == "grouplens" else write_recbole)(folder)
    names = {"grouplens": {"ratings": "u.data", "items": "u.item", "users": "u.user"},
             "recbole": {"ratings": "ml-100k.inter", "items": "ml-100k.item", "users": "ml-100k.user"}}
    name = names[fmt][kind]
    line = row + (2 if fmt == "recbole" else 1)  # recbole files start with a header line
    corrupt(os.path.join(folder, name), line, text)
    try:
        load_movielens(folder)
    except ValueError as error:
        message = str(error)
        # a blank last line ends the file: the record it replaced is then missing where it is referred to
        assert (name in message or not text.strip()) and "expected" in message, message
        assert type(error) is ValueError  # a public class in the traceback, never a private one
        assert f"line {line}" in message or "appears twice" in message or "not in the" in message, message
    else:  # only a line with the file's separators can be a well-formed record
        assert "\t" in text or "|" in text, f"accepted {text!r} as line {line} of {name}"


def test_a_rating_of_an_unknown_item_names_the_file_and_line(tmp_path):
    folder = write_grouplens(str(tmp_path))
    corrupt(os.path.join(folder, "u.data"), 3, "3\t99\t4\t878887116")
    with pytest.raises(ValueError, match=r"u\.data, line 3: item '99' is not in the items file"):
        load_movielens(folder)
    folder = write_recbole(str(tmp_path / "r"))
    corrupt(os.path.join(folder, "ml-100k.inter"), 2, "77\t1\t4\t878887116")
    with pytest.raises(ValueError, match=r"ml-100k\.inter, line 2: user '77' is not in the users file"):
        load_movielens(folder)


@pytest.mark.parametrize("line, message", [
    ("1\t1\t6\t881250949", "expected a rating from 1 to 5"),
    ("1\t1\tfive\t881250949", "expected a rating from 1 to 5"),
    ("1\t1\t5", "expected user id, item id, rating, timestamp"),
    ("1\t1\t5\tyesterday", "expected a timestamp"),
])
def test_bad_ratings(tmp_path, line, message):
    folder = write_grouplens(str(tmp_path))
    corrupt(os.path.join(folder, "u.data"), 2, line)
    with pytest.raises(ValueError, match=f"u.data, line 2: {message}"):
        load_movielens(folder)


def write_synthetic_grouplens(folder, users=30, items=40, ratings=800, seed=0):
    """A GroupLens-format folder of random but well-formed data, for runs of the recipes."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    occupations = ["artist", "doctor", "engineer", "student", "writer", "other"]
    with open(os.path.join(folder, "u.user"), "w", encoding="latin-1") as file:
        for user in range(1, users + 1):
            file.write(f"{user}|{rng.integers(12, 70)}|{'MF'[user % 2]}|{occupations[user % len(occupations)]}|00000\n")
    with open(os.path.join(folder, "u.item"), "w", encoding="latin-1") as file:
        for item in range(1, items + 1):
            flags = np.zeros(len(GENRES), dtype=int)
            flags[rng.choice(np.arange(1, len(GENRES)), size=rng.integers(1, 4), replace=False)] = 1
            file.write(f"{item}|Movie {item} ({1950 + item})|01-Jan-{1950 + item}||http://imdb/{item}|"
                       + "|".join(map(str, flags)) + "\n")
    pairs = rng.choice(users * items, size=ratings, replace=False)
    with open(os.path.join(folder, "u.data"), "w") as file:
        for pair in pairs:
            user, item = pair // items + 1, pair % items + 1
            stars = int(np.clip(round(3 + (user % 3 - 1) + (item % 2) + rng.normal(0, 0.7)), 1, 5))
            file.write(f"{user}\t{item}\t{stars}\t{880000000 + int(rng.integers(0, 10**7))}\n")
    return folder
