# %% [markdown]
# # Lab 5: a rating model with four mistakes
#
# Both halves of the slides in one model: a MovieLens rating row is a few symbols (user,
# movie, gender, age band, occupation, genres), embedded by one `Embedding`, flattened, and
# read by `Dense` layers with `Dropout` between them; the model predicts the stars, 1 to 5.
# The model below, in the slides' spelling, has four mistakes. Each one alone would spoil
# the predictions; find them all.
# Stuck? The cell under each exercise holds `# %load solutions/...`: remove the `# ` and run
# it, and Jupyter puts a solution in that cell; run it again, then the check.

# %%
from keras_workshop.labs import check
from keras_workshop.slides import Dense, Dropout, Embedding, Flatten, Sequential


def broken_model(vocabulary_size, fields):
    model = Sequential()
    model.add(Embedding(output_dim=16, input_dim=vocabulary_size, input_length=fields))
    model.add(Flatten())
    model.add(Dropout(p=0.9))
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(p=0.9))
    model.add(Dense(2, activation="tanh"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model

# %% [markdown]
# ## Exercise: fix it
#
# Copy `broken_model` into `build_model` below and fix its four mistakes. The check builds
# your model for 50 symbols and rows of 11, and says how many mistakes are left and what
# the first one does wrong.

# %% tags=["exercise"]
def build_model(vocabulary_size, fields):
    # your answer
    ...

# %% tags=["check"]
check.build_model()

# %% [markdown]
# `recipes/movie_ratings.py` trains this model, fixed, on the 100,000 MovieLens ratings and
# cross-validates it against the global mean.
#
# ## Summary

# %%
check.summary("lab5_rating_model")
