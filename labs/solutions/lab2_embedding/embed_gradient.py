def embed_gradient(ids, W, upstream):
    onehots = np.eye(W.shape[0])[ids].reshape(-1, W.shape[0])  # one row per id
    return onehots.T @ upstream.reshape(-1, W.shape[1])  # each id's row: the sum of its upstream rows
