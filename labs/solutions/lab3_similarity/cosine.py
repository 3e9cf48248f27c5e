def cosine(x, y):
    return x @ y / (np.linalg.norm(x) * np.linalg.norm(y))
