def euclidean(x, y):
    return np.sqrt(np.sum((x - y) ** 2))
