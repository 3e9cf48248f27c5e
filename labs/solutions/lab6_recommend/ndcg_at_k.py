def ndcg_at_k(ranked, relevant, k):
    gains = 1 / np.log2(np.arange(2, k + 2))  # rank r from 1: 1 / log2(r + 1)
    hits = np.take_along_axis(relevant, ranked, axis=1)
    dcg = hits @ gains
    ideal = np.array([gains[:min(count, k)].sum() for count in relevant.sum(axis=1)])
    users = ideal > 0  # users with nothing to find are left out
    return np.mean(dcg[users] / ideal[users])
