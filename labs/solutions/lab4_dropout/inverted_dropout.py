def inverted_dropout(x, mask, p):
    return x * mask / (1 - p)  # on average, x: nothing to change at test time
