def embed(ids, W):
    onehots = np.eye(W.shape[0])[ids]  # ids.shape + (n,)
    return onehots @ W  # ids.shape + (d,): row ids[...] of W
