"""Text corpora and word-similarity judgements that ship inside the gensim wheel."""

from __future__ import annotations

import re

import numpy as np

from keras_workshop.embeddings._unit_rows import unit_rows

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _datapath(name: str) -> str:
    from gensim.test.utils import datapath

    return datapath(name)


def wikipedia_excerpt() -> list[list[str]]:
    """The English Wikipedia excerpt shipped with gensim: 106 articles, ~453k lowercase tokens.

    Example:

    >>> articles = wikipedia_excerpt()
    >>> articles[0][:3]
    ['anarchism', 'is', 'political']
    """
    from gensim.corpora.wikicorpus import WikiCorpus

    path = _datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    return list(WikiCorpus(path, dictionary={}).get_texts())


def lee_corpus() -> list[list[str]]:
    """gensim's Lee background corpus: 300 news stories, ~58k tokens (small: for tests)."""
    return read_text(_datapath("lee_background.cor"))


def read_text(path: str) -> list[list[str]]:
    """Reads a plain-text file as one token list per non-empty line (lowercase words)."""
    with open(path, encoding="utf-8", errors="replace") as file:
        lines = [_WORD.findall(line.lower()) for line in file]
    documents = [line for line in lines if line]
    if not documents:
        raise ValueError(f"read_text: no words found in {path!r}.")
    return documents


def similarity_judgements(name: str) -> list[tuple[str, str, float]]:
    """Human word-similarity judgements: `"wordsim353"` or `"simlex999"`.

    Returns:
        `(word, word, mean human score)` triples.
    """
    files = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
    if name not in files:
        raise ValueError(f"similarity_judgements: name must be one of {sorted(files)}, got {name!r}.")
    triples = []
    with open(_datapath(files[name])) as file:
        for line in file:
            if line.startswith("#") or not line.strip():
                continue
            first, second, score = line.rstrip("\n").split("\t")[:3]
            triples.append((first.lower(), second.lower(), float(score)))
    return triples


def similarity_spearman(weights: np.ndarray, vocabulary, name: str) -> tuple[float, int]:
    """Spearman correlation of cosine similarity with human judgements, and pairs used.

    Pairs with a word outside the vocabulary are skipped (as gensim's
    `evaluate_word_pairs` does by default); with fewer than 3 pairs left the
    correlation is NaN (undefined), with the number of pairs.

    Raises:
        ValueError: `weights` hold NaN or inf.
    """
    from scipy.stats import spearmanr

    if not np.all(np.isfinite(weights)):
        raise ValueError("similarity_spearman: the weights hold NaN or inf; expected finite vectors.")

    pairs = [(a, b, s) for a, b, s in similarity_judgements(name) if a in vocabulary and b in vocabulary]
    if len(pairs) < 3:
        return float("nan"), len(pairs)
    first = vocabulary.ids([a for a, _, _ in pairs])
    second = vocabulary.ids([b for _, b, _ in pairs])
    cosines = np.sum(unit_rows(weights[first]) * unit_rows(weights[second]), axis=1)
    return float(spearmanr(cosines, [s for _, _, s in pairs]).statistic), len(pairs)
