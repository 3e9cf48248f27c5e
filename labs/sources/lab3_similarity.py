# %% [markdown]
# # Lab 3: distance and similarity
#
# The slides compare two ways to say how close two embeddings are: the euclidean distance
# `||x - y||` and the cosine similarity `x . y / (||x|| ||y||)`, which ignores the vectors'
# lengths. Then: how similar are two *random* vectors, and which rows of a table are a
# row's nearest neighbours?
# Stuck? The cell under each exercise holds `# %load solutions/...`: remove the `# ` and run
# it, and Jupyter puts a solution in that cell; run it again, then the check.

# %%
import numpy as np

from keras_workshop.labs import check, movie_vectors

# %% [markdown]
# ## Exercise 1: euclidean distance
#
# `euclidean(x, y)` for two NumPy vectors of the same length.

# %% tags=["exercise"]
def euclidean(x, y):
    # your answer
    ...

# %% tags=["check"]
check.euclidean()

# %% [markdown]
# ## Exercise 2: cosine similarity
#
# `cosine(x, y)`: 1 for vectors pointing the same way, whatever their lengths; 0 for
# orthogonal ones; -1 for opposite ones.

# %% tags=["exercise"]
def cosine(x, y):
    # your answer
    ...

# %% tags=["check"]
check.cosine()

# %% [markdown]
# ## Exercise 3: random vectors are nearly orthogonal
#
# Draw many pairs of random vectors of `d` normal numbers (`np.random.default_rng().normal`)
# and look at their cosines: centred on 0, but how spread? Write `cosine_spread(d)`, their
# standard deviation as a function of `d` (a formula, or a measurement with enough pairs).

# %% tags=["exercise"]
def cosine_spread(d):
    # your answer
    ...

# %% tags=["check"]
check.cosine_spread()

# %% [markdown]
# ## Exercise 4: nearest neighbours by cosine
#
# `nearest(vectors, i, k)`: the ids of the `k` rows of `vectors` with the highest cosine
# similarity to row `i`, most similar first, row `i` itself left out. The check compares
# yours with `keras_workshop.embeddings.nearest_neighbours`, which the recipes use to show
# the neighbours of words and movies while they train.

# %% tags=["exercise"]
def nearest(vectors, i, k):
    # your answer
    ...

# %% tags=["check"]
check.nearest()

# %% [markdown]
# Once your `nearest` passes, it finds neighbours among real movies: `movie_vectors()` gives
# one vector per MovieLens-100k movie, made from nothing but which users chose it (a
# truncated SVD of the users-by-movies matrix).

# %%
titles, vectors = movie_vectors()
if check.nearest().passed:
    print([titles[i] for i in nearest(vectors, titles.index("Star Wars (1977)"), 5)])

# %% [markdown]
# ## Summary

# %%
check.summary("lab3_similarity")
