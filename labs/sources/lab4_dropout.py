# %% [markdown]
# # Lab 4: dropout by hand
#
# The slides: "randomly set activations to 0 with probability p, typically only enabled at
# training time", and "at test time, multiply weights by p to keep the same level of
# activation". Keras does it the other way round ("inverted dropout"). Here you write both,
# then read the lecture's three learning-curve figures.
# Stuck? The cell under each exercise holds `# %load solutions/...`: remove the `# ` and run
# it, and Jupyter puts a solution in that cell; run it again, then the check.

# %%
import numpy as np

from keras_workshop.labs import REGIMES, check

# %% [markdown]
# ## Exercise 1: the mask
#
# `dropout_mask(shape, p, rng)`: an array of `shape` holding 0 where an activation is
# dropped (probability `p`) and 1 where it is kept. Draw it with `rng`, a NumPy
# `np.random.Generator`.

# %% tags=["exercise"]
def dropout_mask(shape, p, rng):
    # your answer
    ...

# %% tags=["check"]
check.dropout_mask()

# %% [markdown]
# ## Exercise 2: Keras' inverted dropout
#
# Keras' `Dropout(p)` zeroes the dropped activations and scales the kept ones so that the
# layer needs no change at test time. Write `inverted_dropout(x, mask, p)`.

# %% tags=["exercise"]
def inverted_dropout(x, mask, p):
    # your answer
    ...

# %% tags=["check"]
check.inverted_dropout()

# %% [markdown]
# ## Exercise 3: the slides' test-time weights
#
# In the slides' dropout, training does not scale anything. At test time every unit is on,
# so the next layer would see larger inputs than it was trained on. Write
# `test_time_weights(W, p)`: the weights the next layer uses at test time, for the rate `p`
# of dropping. (The slides' "multiply weights by p" writes p for the probability of keeping.)

# %% tags=["exercise"]
def test_time_weights(W, p):
    # your answer
    ...

# %% tags=["check"]
check.test_time_weights()

# %% [markdown]
# ## Exercise 4: reading the three regimes
#
# The lecture trained the same network on digits with noisy labels at p = 0, 0.2 and 0.8
# (the figures in the README, from `recipes/dropout_curves.py`): training loss solid,
# validation loss dashed. For each rate, which regime does its figure show? Answer with
# one of `REGIMES` for each.

# %% tags=["exercise"]
print(REGIMES)
regimes = {0.0: ..., 0.2: ..., 0.8: ...}  # your answer

# %% tags=["check"]
check.regimes()

# %% [markdown]
# ## Summary

# %%
check.summary("lab4_dropout")
