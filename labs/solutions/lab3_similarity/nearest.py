def nearest(vectors, i, k):
    units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarities = units @ units[i]
    similarities[i] = -np.inf  # leave the row itself out
    return np.argsort(-similarities, kind="stable")[:k]
