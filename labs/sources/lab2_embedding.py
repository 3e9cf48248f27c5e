# %% [markdown]
# # Lab 2: the Embedding layer is a one-hot vector times a matrix
#
# The slides: `Embedding(output_dim=d, input_dim=n, input_length=1)` holds a matrix `W` of
# `n` rows and `d` columns, and the embedding of symbol `x` is `onehot(x) . W`: row `x` of
# `W`. Here you compute both the layer's output and its gradient with NumPy alone, and the
# checks compare them with Keras' `Embedding` and TensorFlow's gradient.
# Stuck? The cell under each exercise holds `# %load solutions/...`: remove the `# ` and run
# it, and Jupyter puts a solution in that cell; run it again, then the check.

# %%
import numpy as np

from keras_workshop.labs import check

# %% [markdown]
# ## Exercise 1: the layer's output
#
# `embed(ids, W)` takes integer ids of any shape (a batch of rows of symbols, say) and
# returns, for each id, its embedding: shape `ids.shape + (d,)`. Write it as one-hot vectors
# times `W` (`np.eye(n)[ids]` gives the one-hot vectors).

# %% tags=["exercise"]
def embed(ids, W):
    # your answer
    ...

# %% tags=["check"]
check.embed()

# %% [markdown]
# ## Exercise 2: the layer's gradient
#
# Training moves `W`. For a loss `L = sum(upstream * embed(ids, W))` (where `upstream` is
# what the layers above send back, one row per id), write `embed_gradient(ids, W, upstream)`,
# the gradient of `L` with respect to `W`: a matrix of `W`'s shape. Which rows of `W` get a
# gradient at all? What happens to an id that appears twice?

# %% tags=["exercise"]
def embed_gradient(ids, W, upstream):
    # your answer
    ...

# %% tags=["check"]
check.embed_gradient()

# %% [markdown]
# ## Summary

# %%
check.summary("lab2_embedding")
