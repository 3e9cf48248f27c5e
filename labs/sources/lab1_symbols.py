# %% [markdown]
# # Lab 1: symbols to one-hot vectors
#
# The Embeddings slides start from symbols: words, item ids, user ids, genres. A symbol `s`
# of a vocabulary `V` becomes a vector of `|V|` numbers with a single 1, its **one-hot**
# vector. Write each answer in the cell marked *your answer*, run it, then run the check
# below it: the check tries your answer on cases of its own and says whether it holds.
# Stuck? The cell under each exercise holds `# %load solutions/...`: remove the `# ` and run
# it, and Jupyter puts a solution in that cell; run it again, then the check.

# %%
import numpy as np

from keras_workshop.labs import check

# %% [markdown]
# ## Exercise 1: the one-hot vector
#
# `onehot(symbol, symbols)` returns a NumPy vector with one number per symbol of `symbols`
# (a list): 1 at the position of `symbol`, 0 everywhere else.

# %% tags=["exercise"]
def onehot(symbol, symbols):
    # your answer
    ...

# %% tags=["check"]
check.onehot()

# %% [markdown]
# ## Exercise 2: how far apart are two symbols?
#
# Take any two different symbols of a vocabulary and compute the euclidean distance between
# their one-hot vectors (with your `onehot`, or by hand). Is it the same for every pair?

# %% tags=["exercise"]
onehot_distance = ...  # your answer: a number

# %% tags=["check"]
check.onehot_distance()

# %% [markdown]
# ## Exercise 3: a vocabulary with an unknown symbol
#
# Real text holds words the vocabulary never saw. Keras' `StringLookup` keeps id 0 for
# "unknown" and numbers the vocabulary from 1. Write `lookup(words, symbols)`: one id per
# word of `words`, 0 for a word that is not in `symbols`, and `1 + position` for one that is.

# %% tags=["exercise"]
def lookup(words, symbols):
    # your answer
    ...

# %% tags=["check"]
check.lookup()

# %% [markdown]
# ## Summary

# %%
check.summary("lab1_symbols")
