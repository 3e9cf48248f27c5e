def onehot(symbol, symbols):
    vector = np.zeros(len(symbols))
    vector[symbols.index(symbol)] = 1
    return vector
