def popularity(train):
    return train.sum(axis=0)  # over the users: one count per item
