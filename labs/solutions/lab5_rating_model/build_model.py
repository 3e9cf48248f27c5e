def build_model(vocabulary_size, fields):
    model = Sequential()
    model.add(Embedding(output_dim=16, input_dim=vocabulary_size, input_length=fields))
    model.add(Flatten())
    model.add(Dropout(p=0.5))  # 0.9 left too little to learn from
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(p=0.5))
    model.add(Dense(1))  # one number per row, not squashed: ratings go from 1 to 5
    model.compile(optimizer="adam", loss="mse")  # a regression loss
    return model
