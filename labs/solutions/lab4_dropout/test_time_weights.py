def test_time_weights(W, p):
    return W * (1 - p)  # each input was on with probability 1 - p while training
