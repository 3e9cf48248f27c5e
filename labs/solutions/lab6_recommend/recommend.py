def recommend(scores, seen, k):
    unseen_scores = np.where(seen, -np.inf, scores)  # a seen item can never win
    return np.argsort(-unseen_scores, axis=1, kind="stable")[:, :k]
