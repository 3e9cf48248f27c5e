"""Recommenders: models that learn from ratings and choices, and how they are measured.

Both halves of the slides in one model, measured as recommenders are:

- `model_selection`: `topk_split` (each user's interactions 8:1:1, RecBole's protocol) and
  `kfold_splits` (Surprise's protocol), splits of one shape (`train`, `valid`, `test`);
- metrics: `topk_metrics` (Recall, NDCG, MRR, Hit, Precision at k over every unseen
  movie), `top_k`, `rmse_mae`, `TopKValidation` (the same each epoch, for `EarlyStopping`) and
  `paired_difference` (a model against a baseline on the same splits);
- baselines: `most_popular_scores`, `group_popular_scores`, `item_knn_scores`,
  `ease_scores`, `ease_weights`; dropout on a linear layer's input in closed form, `dlae_weights`
  and `edlae_weights` (EASE is EDLAE without dropout), and `ZeroDiagonal` (no movie predicts itself);
- rating models: `slide_rating_model` (the slides' `Sequential`), `hybrid_rating_model`,
  `ImplicitFeedback`, `average_models`, with `ratings_dataset` and `predict_ratings`;
- top-k models of the slides' parts: `denoising_recommender` (Dropout -> Dense) and its loss,
  `MultinomialLikelihood`, `ScoreBlend` and `score_blend_model` (standardised scores, weighted),
  `ease_model` (EASE as one Dense layer; `item_item_model` for any closed form's kernel), `two_tower_model` (`two_towers`, `field_tower`, `item_table`,
  `SymbolDropout`, `CandidateScores`), trained with a full softmax or in-batch negatives
  (`in_batch_model`, `InBatchScores`, `InBatchSoftmax`, `remove_accidental_hits`);
- serving: `rating_signatures` (`RatingTables`) and `recommend_signatures`
  (`RecommendTables`), the signatures of the two exports.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_model_selection": ["Fold", "TopKSplit", "kfold_splits", "topk_split"],
        "_metrics": ["TOPK_METRICS", "rmse_mae", "top_k", "topk_metrics"],
        "_topk_validation": ["TopKValidation"],
        "_paired": ["paired_difference"],
        "_blend": ["ScoreBlend", "score_blend_model"],
        "_baselines": ["group_popular_scores", "item_knn_scores", "most_popular_scores"],
        "_closed_form": ["ZeroDiagonal", "dlae_weights", "ease_scores", "ease_weights", "edlae_weights"],
        "_rating_models": ["ImplicitFeedback", "average_models", "hybrid_rating_model", "slide_rating_model"],
        "_rating_data": ["predict_ratings", "ratings_dataset"],
        "_denoising": ["denoising_recommender"],
        "_likelihood": ["MultinomialLikelihood"],
        "_linear": ["ease_model", "item_item_model"],
        "_two_tower": ["CandidateScores", "SymbolDropout", "field_tower", "item_table", "two_tower_model", "two_towers"],
        "_in_batch": ["InBatchScores", "InBatchSoftmax", "in_batch_model", "remove_accidental_hits"],
        "_rating_signatures": ["PRIOR_RATINGS", "RatingTables", "rating_signatures"],
        "_recommend_signatures": ["RECOMMENDATION_SOURCES", "RecommendTables", "recommend_signatures"],
    },
)
