def lookup(words, symbols):
    ids = {symbol: position + 1 for position, symbol in enumerate(symbols)}
    return np.array([ids.get(word, 0) for word in words], dtype=int)
