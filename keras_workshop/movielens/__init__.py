"""MovieLens-100k: item ids, user ids and categorical descriptors as symbols.

The slides' other kinds of symbols: "Recommender Systems: item ids, user ids" and "any
categorical descriptor: tags, movie genres, ...". `load_movielens` reads the ratings,
titles, genres and user descriptors (from the copy inside the recbole wheel, or a
GroupLens `ml-100k` folder); `liked_sequences` gives each user's liked movies in time
order, the documents of item skip-gram; `genre_share` and `genre_baselines` measure how
often item neighbours share a genre; `field_vocabulary` and `rating_rows` put users, items,
genres, occupations, genders and age bands in one vocabulary, so that one slide Embedding
embeds a whole rating row. Top-k recommendation, measured as RecBole measures it: `topk_split`
(each user's interactions 8:1:1), `topk_metrics` (Recall, NDCG, MRR, Hit, Precision at k over
every unseen movie), and the baselines `most_popular_scores`, `item_knn_scores`, `ease_scores`;
models of the slides' parts (`denoising_recommender`, `ease_model`, `two_tower_model`) and the
served `recommend` and `recommend_for_profile` (`recommend_signatures`).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_data": ["GENRES", "HOW_TO_GET", "MovieLens", "load_movielens", "recbole_folder"],
        "_fields": [
            "FIELDS", "NEW_USER", "age_band", "every_pair_rows", "field_symbols", "field_vocabulary", "rating_rows",
            "tower_fields",
        ],
        "_liked": ["genre_baselines", "genre_matrix", "genre_share", "liked_sequences"],
        "_rating_signatures": ["PRIOR_RATINGS", "RatingTables", "rating_signatures"],
        "_rating_training": ["kfold_splits", "predict_ratings", "ratings_dataset", "rmse_mae"],
        "_topk_baselines": [
            "ease_scores", "ease_weights", "group_popular_scores", "item_knn_scores", "most_popular_scores",
        ],
        "_topk_models": [
            "CandidateScores", "SymbolDropout", "denoising_recommender", "ease_model", "field_tower", "two_tower_model",
        ],
        "_topk_in_batch": ["InBatchScores", "InBatchSoftmax", "in_batch_model", "remove_accidental_hits"],
        "_recommend_signatures": ["RecommendTables", "recommend_signatures"],
        "_topk_metrics": ["TOPK_METRICS", "top_k", "topk_metrics"],
        "_topk_protocol": ["TopKSplit", "topk_split"],
        "_rating_models": [
            "ImplicitFeedback", "average_models", "hybrid_rating_model", "slide_rating_model",
        ],
    },
)
