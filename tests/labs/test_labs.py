"""Each lab through a real kernel, three ways: as shipped, with wrong answers, with the solutions."""

import os

import nbformat
import pytest

from keras_workshop.labs import MIME_TYPE
from tests.conftest import REPO

LABS = os.path.join(REPO, "labs")

BUILD = """def build_model(vocabulary_size, fields):
    model = Sequential()
    model.add(Embedding(output_dim=16, input_dim=vocabulary_size, input_length=fields))
    model.add(Flatten())
    model.add(Dropout(p=0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(p=0.5))
    model.add(Dense(1))
    model.compile(optimizer='adam', loss='mse')
    return model
"""
WRONG = {  # exercise -> [(answer cell, a phrase its hint must hold)], at least two each
    "onehot": [
        ("def onehot(symbol, symbols):\n    vector = np.zeros(len(symbols))\n"
         "    vector[(symbols.index(symbol) + 1) % len(symbols)] = 1\n    return vector", "at position"),
        ("def onehot(symbol, symbols):\n    return np.ones(len(symbols))", "a single 1"),
        ("def onehot(symbol, symbols):\n    vector = np.zeros(len(symbols) + 1)\n"
         "    vector[symbols.index(symbol)] = 1\n    return vector", "one number per symbol"),
    ],
    "onehot_distance": [("onehot_distance = 2.0", "squared distance"), ("onehot_distance = 1", "is not it"),
                        ("onehot_distance = 'sqrt(2)'", "must be a number")],
    "lookup": [
        ("def lookup(words, symbols):\n    return [symbols.index(w) if w in symbols else 0 for w in words]",
         "one too small"),
        ("def lookup(words, symbols):\n    return [symbols.index(w) + 1 if w in symbols else -1 for w in words]",
         "unknown symbol, id 0"),
        ("def lookup(words, symbols):\n    return [symbols.index(w) + 1 for w in words]", "your code raised ValueError"),
    ],
    "embed": [
        ("def embed(ids, W):\n    return np.eye(W.shape[0])[ids] @ W.T @ W.T.T[:0].T if False else W.T", "shape"),
        ("def embed(ids, W):\n    return np.eye(W.shape[0])[ids] @ np.roll(W, 1, axis=0)", "row ids[i] of W"),
    ],
    "embed_gradient": [
        ("def embed_gradient(ids, W, upstream):\n    gradient = np.zeros_like(W)\n"
         "    gradient[ids] = upstream\n    return gradient", "do not overwrite"),
        ("def embed_gradient(ids, W, upstream):\n    return np.ones_like(W)", "gradient of 0"),
        ("def embed_gradient(ids, W, upstream):\n    return upstream", "W's shape"),
    ],
    "euclidean": [("def euclidean(x, y):\n    return np.sum((x - y) ** 2)", "squared distance"),
                  ("def euclidean(x, y):\n    return np.sum(np.abs(x - y))", "L1 distance"),
                  ("def euclidean(x, y):\n    return np.sqrt(np.sum((x + y) ** 2))", "subtract")],
    "cosine": [("def cosine(x, y):\n    return x @ y", "dot product"),
               ("def cosine(x, y):\n    return x @ y / np.linalg.norm(x)", "divide the dot product")],
    "cosine_spread": [("def cosine_spread(d):\n    return 1 / d", "variance"),
                      ("def cosine_spread(d):\n    return np.sqrt(d)", "measure it"),
                      ("def cosine_spread(d):\n    return 1.2 / np.sqrt(d)", "off by more than 5%")],
    "nearest": [
        ("def nearest(vectors, i, k):\n    units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)\n"
         "    return np.argsort(-(units @ units[i]), kind='stable')[:k]", "own neighbours"),
        ("def nearest(vectors, i, k):\n    distances = np.linalg.norm(vectors - vectors[i], axis=1)\n"
         "    distances[i] = np.inf\n    return np.argsort(distances, kind='stable')[:k]", "euclidean"),
        ("def nearest(vectors, i, k):\n    units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)\n"
         "    similarities = units @ units[i]\n    similarities[i] = -np.inf\n"
         "    return np.argsort(-similarities, kind='stable')[:k][::-1]", "in reverse"),
    ],
    "dropout_mask": [("def dropout_mask(shape, p, rng):\n    return (rng.random(shape) < p).astype(float)",
                      "probability of dropping, not of keeping"),
                     ("def dropout_mask(shape, p, rng):\n    return (rng.random(shape) >= p) / (1 - p)", "only 0")],
    "inverted_dropout": [("def inverted_dropout(x, mask, p):\n    return x * mask", "without scaling"),
                         ("def inverted_dropout(x, mask, p):\n    return x * mask / p", "dividing by p")],
    "test_time_weights": [("def test_time_weights(W, p):\n    return W * p", "times p"),
                          ("def test_time_weights(W, p):\n    return W / (1 - p)", "training-time scaling")],
    "regimes": [("regimes = {0.0: 'generalises', 0.2: 'generalises', 0.8: 'underfits'}", "training loss goes to"),
                ("regimes = {0.0: 'overfits', 0.2: 'generalises', 0.8: 'too much'}", "one of"),
                ("regimes = [0.0, 0.2, 0.8]", "must be a dict")],
    "build_model": [  # the four planted mistakes, each left in alone
        (BUILD.replace("p=0.5", "p=0.9"), "Dropout(0.9)"),
        (BUILD.replace("Dense(1)", "Dense(2)"), "numbers per row"),
        (BUILD.replace("Dense(1)", "Dense(1, activation='tanh')"), "tanh squashes"),
        (BUILD.replace("loss='mse'", "loss='binary_crossentropy'"), "regression loss"),
        (BUILD.replace("    model.compile(optimizer='adam', loss='mse')\n", ""), "compile the model"),
    ],
    "recommend": [
        ("def recommend(scores, seen, k):\n    return np.argsort(-scores, axis=1, kind='stable')[:, :k]", "already seen"),
        ("def recommend(scores, seen, k):\n    ranked = np.argsort(-np.where(seen, -np.inf, scores), axis=1, "
         "kind='stable')\n    return ranked[:, :k][:, ::-1]", "in reverse"),
    ],
    "popularity": [("def popularity(train):\n    return train.sum(axis=1)", "axis 0"),
                   ("def popularity(train):\n    return train.mean(axis=0) + 1", "how many users")],
    "ndcg_at_k": [
        ("def ndcg_at_k(ranked, relevant, k):\n    hits = np.take_along_axis(relevant, ranked, axis=1)\n"
         "    dcg = hits @ (1 / np.log2(np.arange(2, k + 2)))\n    return dcg[relevant.any(axis=1)].mean()",
         "that is DCG"),
        ("def ndcg_at_k(ranked, relevant, k):\n    gains = 1 / np.log2(np.arange(1, k + 1) + 1)\n"
         "    hits = np.take_along_axis(relevant, ranked, axis=1)\n"
         "    ideal = np.array([gains[:min(c, k)].sum() for c in relevant.sum(axis=1)])\n"
         "    return np.mean(np.divide(hits @ gains, ideal, out=np.zeros(len(ideal)), where=ideal > 0))",
         "leave them out"),
        ("def ndcg_at_k(ranked, relevant, k):\n    gains = 1 / np.log2(np.arange(1, k + 1))\n    return 0.5", "gains"),
    ],
}


def lab_names():
    return sorted(name.removesuffix(".ipynb") for name in os.listdir(LABS) if name.endswith(".ipynb"))


def verdicts(notebook):
    """`{exercise: verdict dict}` from the check cells' outputs."""
    found = {}
    for cell in notebook.cells:
        if "check" in cell.metadata.get("tags", []):
            data = [output.data[MIME_TYPE] for output in cell.outputs if MIME_TYPE in output.get("data", {})]
            assert len(data) == 1, cell.outputs
            found[data[0]["exercise"]] = data[0]
    return found


def exercises(notebook):
    """`{exercise: (index of its answer cell, index of its check cell)}`."""
    return {cell.source.removeprefix("check.").removesuffix("()"): (index - 2, index)
            for index, cell in enumerate(notebook.cells) if "check" in cell.metadata.get("tags", [])}


@pytest.mark.parametrize("lab", lab_names())
def test_each_lab_as_shipped_with_wrong_answers_and_with_the_solutions(lab):
    from nbclient import NotebookClient

    notebook = nbformat.read(os.path.join(LABS, f"{lab}.ipynb"), as_version=4)
    places = exercises(notebook)
    assert places and set(places) <= set(WRONG), f"add wrong answers for {set(places) - set(WRONG)}"
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": LABS}})
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):  # 1. as shipped: nothing answered, no error
            client.execute_cell(cell, index)
        shipped = verdicts(notebook)
        assert {verdict["status"] for verdict in shipped.values()} == {"not answered"}, shipped
        summary = [output.data[MIME_TYPE] for output in notebook.cells[-1].outputs if MIME_TYPE in output.data]
        assert [verdict["exercise"] for verdict in summary[0]["verdicts"]] == list(places)

        def run_checks():
            for _, check in places.values():
                client.execute_cell(notebook.cells[check], check)
            return verdicts(notebook)

        for name, (answer, check) in places.items():  # 2. each wrong answer fails with its hint, alone
            template = notebook.cells[answer].source
            for wrong, hint in WRONG[name]:
                notebook.cells[answer].source = wrong
                client.execute_cell(notebook.cells[answer], answer)
                now = run_checks()
                assert now[name]["status"] == "failed" and hint in now[name]["message"], (wrong, now[name])
                assert {other: now[other] for other in now if other != name} == {
                    other: shipped[other] for other in shipped if other != name}
            notebook.cells[answer].source = template
            client.execute_cell(notebook.cells[answer], answer)
        for name, (answer, _) in places.items():  # 3. every solution passes
            with open(os.path.join(LABS, "solutions", lab, f"{name}.py")) as file:
                notebook.cells[answer].source = file.read()
            client.execute_cell(notebook.cells[answer], answer)
        solved = run_checks()
        assert {name: verdict["status"] for name, verdict in solved.items()} == {name: "passed" for name in places}
