"""MovieLens-100k: item ids, user ids and categorical descriptors as symbols.

The slides' other kinds of symbols: "Recommender Systems: item ids, user ids" and "any
categorical descriptor: tags, movie genres, ...". `load_movielens` reads the ratings,
titles, genres and user descriptors (from the copy inside the recbole wheel, or a
GroupLens `ml-100k` folder); `liked_sequences` gives each user's liked movies in time
order, the documents of item skip-gram; `genre_matrix`, `genre_share` and `genre_baselines`
measure how often item neighbours share a genre; `field_vocabulary` and `rating_rows` put
users, items, genres, occupations, genders and age bands in one vocabulary, so that one
slide Embedding embeds a whole rating row; `user_item_fields` gives each user's and each
item's symbols as ids. What learns from these data or measures recommendations is in
`keras_workshop.recommenders`.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_data": ["GENRES", "HOW_TO_GET", "MovieLens", "load_movielens", "recbole_folder"],
        "_fields": [
            "AGE_BANDS", "OLDEST_AGE", "FIELDS", "NEW_USER", "age_band", "every_pair_rows", "field_symbols", "field_vocabulary",
            "rating_rows", "user_item_fields",
        ],
        "_genres": ["genre_baselines", "genre_matrix", "genre_share"],
        "_liked": ["liked_sequences"],
    },
)
