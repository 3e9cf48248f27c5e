"""Lab 4, dropout by hand: the mask, the 1/(1 - p) scaling, the slides' test-time weights, the three regimes."""

from __future__ import annotations

import numpy as np

from keras_workshop.labs._checks import NotAnswered, Wrong, answer, exercise

LAB = "lab4_dropout"
REGIMES = ("overfits", "generalises", "underfits")
# The lecture's three figures (and `recipes/dropout_curves.py`): with p = 0 the training loss goes to ~0 while the
# validation loss turns up; p = 0.2 reaches the lowest validation loss; p = 0.8 leaves both losses near ln 10.
_LECTURE = {0.0: "overfits", 0.2: "generalises", 0.8: "underfits"}
_WHY = {0.0: "with p = 0 the training loss goes to about 0 while the validation loss turns up after epoch ~25",
        0.2: "with p = 0.2 the validation loss reaches the lowest value of the three",
        0.8: "with p = 0.8 both losses stay near ln 10 ≈ 2.3, chance for 10 classes"}


@exercise(LAB)
def dropout_mask(function):
    """`dropout_mask(shape, p, rng)`: 0 (dropped) with probability `p`, else 1, drawn with NumPy's `rng`."""
    for p in (0.2, 0.5, 0.8):
        mask = np.asarray(answer(function, (400, 50), p, np.random.default_rng(0), name="dropout_mask"))
        if mask.shape != (400, 50):
            raise Wrong(f"dropout_mask((400, 50), {p}, rng) has shape {mask.shape}: one number per activation")
        if not np.isin(mask, (0, 1)).all():
            raise Wrong("a mask holds only 0 (dropped) and 1 (kept); the scaling comes in the next exercise")
        dropped = float(np.mean(mask == 0))
        if abs(dropped - (1 - p)) < 0.02 and abs(p - 0.5) > 0.05:
            raise Wrong(f"with p = {p}, {dropped:.0%} are dropped: p is the probability of dropping, not of keeping")
        if abs(dropped - p) > 0.02:
            raise Wrong(f"with p = {p}, {dropped:.0%} of the mask is 0: each activation is dropped with probability p")
    return "a share p of zeros, drawn independently"


@exercise(LAB)
def inverted_dropout(function):
    """`inverted_dropout(x, mask, p)`: Keras' training-time dropout: kept activations scaled by 1/(1 - p)."""
    rng = np.random.default_rng(1)
    for p in (0.2, 0.5, 0.8):
        x = rng.normal(size=(300, 20))
        mask = (rng.random(x.shape) >= p).astype(float)
        got = np.asarray(answer(function, x.copy(), mask.copy(), p, name="inverted_dropout"), dtype=float)
        if got.shape != x.shape:
            raise Wrong(f"the output has shape {got.shape}: the same shape as x, {x.shape}")
        if np.allclose(got, x * mask):
            raise Wrong("without scaling the average activation shrinks by (1 - p): scale what is kept by 1/(1 - p)")
        right = np.allclose(got, x * mask / (1 - p))
        if np.allclose(got, x * mask / p) and not right:
            raise Wrong("dividing by p: divide by the probability of keeping, 1 - p")
        if not right:
            raise Wrong("dropped activations are 0, kept ones are scaled so that on average the output is x")
    return "dropped to 0, the rest scaled by 1/(1 - p): the expected output is x, so at test time nothing changes"


@exercise(LAB)
def test_time_weights(function):
    """`test_time_weights(W, p)`: the slides' dropout (no scaling while training): the weights to use at test time."""
    W = np.random.default_rng(2).normal(size=(6, 4))
    for p in (0.2, 0.5, 0.8):
        got = np.asarray(answer(function, W.copy(), p, name="test_time_weights"), dtype=float)
        if got.shape != W.shape:
            raise Wrong(f"the weights keep their shape {W.shape}, got {got.shape}")
        if np.allclose(got, W * p) and p != 0.5:
            raise Wrong("times p: the activations were kept with probability 1 - p (p is the probability of "
                        "dropping), so multiply by that")
        if np.allclose(got, W / (1 - p)):
            raise Wrong("dividing is inverted dropout's training-time scaling: here training did not scale, so "
                        "the test-time weights shrink to match the average training activation")
        if not np.allclose(got, W * (1 - p)):
            raise Wrong("at test time every unit is on: scale the weights so each layer sees the same average "
                        "input as in training")
    return "the slides' \"multiply weights by p\", with p the probability of keeping"


@exercise(LAB)
def regimes(answers):
    """`regimes`: for p = 0, 0.2 and 0.8 in the lecture's figures, which of `REGIMES` each shows."""
    if not isinstance(answers, dict):
        raise Wrong(f"regimes must be a dict {{rate: regime}}, got {type(answers).__name__}")
    for rate, expected in _LECTURE.items():
        given = answers.get(rate)
        if given is ... or given is None:
            raise NotAnswered(f"`regimes[{rate}]` still holds `{'...' if given is ... else 'None'}`")
        if given not in REGIMES:
            raise Wrong(f"regimes[{rate}] = {given!r}: one of {', '.join(map(repr, REGIMES))}")
        if given != expected:
            raise Wrong(f"regimes[{rate}] = {given!r}: look again at the figure: {_WHY[rate]}")
    return "; ".join(_WHY.values())
