"""Text corpora and word-similarity judgements that ship inside the gensim wheel."""

from __future__ import annotations

import bz2
import codecs
import functools
import gzip
import lzma
import re
import sys
import unicodedata

import numpy as np

from keras_workshop.embeddings import unit_rows

# Compressed files read as what they hold, by their first bytes; other archives and binary formats refused.
_DECOMPRESS = {rb"\x1f\x8b\x08": ("gzip", gzip.decompress), rb"BZh[1-9]1AY&SY": ("bz2", bz2.decompress),
               rb"\xfd7zXZ\x00": ("xz", lzma.decompress)}
_REFUSED = {rb"PK\x03\x04": "a zip archive", rb"\(\xb5/\xfd": "a zstd-compressed file",
            rb"7z\xbc\xaf'\x1c": "a 7z archive", rb"%PDF-": "a PDF document", rb"\x89PNG": "a PNG image",
            rb"\x7fELF": "an executable"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # in no text file; tab, newlines, form feed and escape pass


@functools.cache
def _word_pattern() -> re.Pattern:
    """A word: a letter, then letters and combining marks, in any script; inner apostrophes join parts."""
    letters, marks = [], []
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))[0]
        if category in "LM":
            (letters if category == "L" else marks).append(code)
    letter, mark = _character_class(letters), _character_class(marks)
    part = f"[{letter}][{letter}{mark}]*"
    return re.compile(f"{part}(?:'{part})*")


def _character_class(codes: list[int]) -> str:
    """The body of a regular-expression class matching `codes` (sorted), as ranges."""
    ranges, start = [], codes[0]
    for previous, code in zip(codes, codes[1:] + [None]):
        if code != previous + 1:
            ranges.append(re.escape(chr(start)) + ("" if previous == start else "-" + re.escape(chr(previous))))
            start = code
    return "".join(ranges)


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


def text_words(text: str) -> list[str]:
    """The words of `text` as `read_text` reads a line: Unicode words, NFC, lowercase.

    Example:

    >>> text_words("Le Café, très BON; l’été")
    ['le', 'café', 'très', 'bon', "l'été"]
    """
    return _word_pattern().findall(unicodedata.normalize("NFC", text.replace("\u2019", "'").lower()))


def read_text(path: str, encoding: str = "utf-8") -> list[list[str]]:
    """Reads a text file as one token list per non-empty line: its words, lowercase.

    Words are Unicode words in any script (`text_words`): a letter, then letters and
    combining marks (so "très", "Привет" and "हिन्दी" are one word each), with
    inner apostrophes kept ("don't"; the typographic ’ is read as '). Text is
    normalised to NFC first, so a letter typed with a combining accent and
    its precomposed form are one word. Digits, underscores and punctuation
    separate words. Scripts written without spaces (Chinese, Japanese, Thai)
    give one token per run between punctuation: segment such text first, one
    word per space. Files compressed with gzip, bz2 or xz are read as the text
    they hold.

    Args:
        path: the file.
        encoding: the file's text encoding (a name Python's `codecs` knows).

    Raises:
        ValueError: the file is not text in `encoding` (naming the byte offset,
            in the decompressed content for a compressed file), holds control
            characters no text has (a binary file), is an archive or another
            binary format, is compressed but damaged, or has no words.

    Example:

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "text.txt")
    >>> with open(path, "w", encoding="utf-8") as file:
    ...     _ = file.write("Le café est très bon.\\nПривет, мир!\\n")
    >>> read_text(path)
    [['le', 'café', 'est', 'très', 'bon'], ['привет', 'мир']]
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"read_text: unknown encoding {encoding!r}; expected a codec name such as 'utf-8' "
                         "or 'latin-1'.") from None
    with open(path, "rb") as file:
        content = file.read()
    where = ""
    for magic, (kind, decompress) in _DECOMPRESS.items():
        if re.match(magic, content):
            try:
                content = decompress(content)
            except (OSError, EOFError, ValueError) as error:
                raise ValueError(f"read_text: {path!r} starts like a {kind} file but cannot be decompressed "
                                 f"({error}).") from None
            where = f" of its {kind}-decompressed content"
    for magic, kind in _REFUSED.items():
        if re.match(magic, content):
            raise ValueError(f"read_text: {path!r} is {kind}, not text; extract the text first.")
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        raise ValueError(
            f"read_text: {path!r} is not {encoding} text: byte {error.start}{where} "
            f"(0x{content[error.start]:02x}) {error.reason}; pass the file's encoding (--encoding)."
        ) from None
    control = _CONTROL.search(text)
    if control is not None:
        offset = len(text[: control.start()].encode(encoding))
        raise ValueError(
            f"read_text: {path!r} holds the control character {control.group()!r} at byte {offset}{where}: "
            "a binary file, not text."
        )
    documents = [words for words in map(text_words, text.splitlines()) if words]
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


def similarity_spearman(embeddings: np.ndarray, vocabulary, name: str) -> tuple[float, int]:
    """Spearman correlation of cosine similarity with human judgements, and pairs used.

    Pairs with a word outside the vocabulary are skipped (as gensim's
    `evaluate_word_pairs` does by default); with fewer than 3 pairs left the
    correlation is NaN (undefined), with the number of pairs.

    Raises:
        ValueError: `embeddings` hold NaN or inf.
    """
    from scipy.stats import spearmanr

    if not np.all(np.isfinite(embeddings)):
        raise ValueError("similarity_spearman: the embeddings hold NaN or inf; expected finite vectors.")

    pairs = [(a, b, s) for a, b, s in similarity_judgements(name) if a in vocabulary and b in vocabulary]
    if len(pairs) < 3:
        return float("nan"), len(pairs)
    first = vocabulary.ids([a for a, _, _ in pairs])
    second = vocabulary.ids([b for _, b, _ in pairs])
    cosines = np.sum(unit_rows(embeddings[first]) * unit_rows(embeddings[second]), axis=1)
    return float(spearmanr(cosines, [s for _, _, s in pairs]).statistic), len(pairs)
