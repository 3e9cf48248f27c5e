first, second = np.eye(3)[0], np.eye(3)[2]  # the one-hot vectors of two different symbols of three
onehot_distance = np.linalg.norm(first - second)
