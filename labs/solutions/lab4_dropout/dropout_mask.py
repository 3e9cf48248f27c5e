def dropout_mask(shape, p, rng):
    return (rng.random(shape) >= p).astype(float)  # dropped (0) with probability p
