# %% [markdown]
# # Lab 6: recommend, and measure it as recommenders are measured
#
# A recommender ranks, for each user, the items the user has not seen yet; it is measured on
# items the user chose later (held out): are they near the top of the ranking? Here you
# write the ranking, the "most popular" baseline every recommender must beat, and NDCG@k,
# the measure of the README's top-k table.
# Stuck? The cell under each exercise holds `# %load solutions/...`: remove the `# ` and run
# it, and Jupyter puts a solution in that cell; run it again, then the check.

# %%
import numpy as np

from keras_workshop.labs import check

# %% [markdown]
# ## Exercise 1: the top k unseen items
#
# `recommend(scores, seen, k)`: `scores` is a `(users, items)` array (higher is better),
# `seen` a boolean array of the same shape. Return a `(users, k)` array of item ids: each
# user's `k` highest-scoring items that are not seen, best first.

# %% tags=["exercise"]
def recommend(scores, seen, k):
    # your answer
    ...

# %% tags=["check"]
check.recommend()

# %% [markdown]
# ## Exercise 2: most popular
#
# `popularity(train)`: `train` is a `(users, items)` boolean array of what each user
# chose. Every user gets the same scores: how many users chose each item.

# %% tags=["exercise"]
def popularity(train):
    # your answer
    ...

# %% tags=["check"]
check.popularity()

# %% [markdown]
# ## Exercise 3: NDCG@k
#
# `ndcg_at_k(ranked, relevant, k)`: `ranked` is `(users, k)` item ids, best first;
# `relevant` a `(users, items)` boolean array of the held-out items. A relevant item at rank
# `r` (counting from 1) gains `1 / log2(r + 1)`; a user's DCG is the sum of the gains; the
# ideal DCG puts `min(relevant items, k)` hits first. Return the mean of DCG / ideal DCG
# over the users that have at least one relevant item.

# %% tags=["exercise"]
def ndcg_at_k(ranked, relevant, k):
    # your answer
    ...

# %% tags=["check"]
check.ndcg_at_k()

# %% [markdown]
# `keras_workshop.recommenders.topk_metrics` computes these measures for the README's table,
# where on MovieLens-100k "most popular" reaches NDCG@10 0.14 and EASE, one Dense layer, 0.34.
#
# ## Summary

# %%
check.summary("lab6_recommend")
