"""read_text: Unicode words in any script, files that are not text refused by name and byte offset."""

import bz2
import gzip
import lzma
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keras_workshop.word2vec import read_text

# Letters of several scripts, and marks that only follow a letter (Devanagari vowel signs, a combining acute).
LETTERS = "".join(c for c in "abcxyzéèçñøßÀÉÎÕÜабвгдёжщъыэюяАБЖαβγδεζωΑΩअकखगहनदरعربيةשלוםあいうアイウ日本語漢字"
                  if unicodedata.category(c).startswith("L"))
MARKS = "\u093f\u0940\u094d\u0301"
SEPARATORS = [" ", "  ", ", ", ". ", " - ", "! ", "? ", ": ", " 42 ", "_", "\t", " (", ") ", " « ", " » ", "…"]
word = st.builds(lambda first, rest: first + rest, st.sampled_from(LETTERS),
                 st.text(st.sampled_from(LETTERS + MARKS), max_size=8))
line = st.lists(word, min_size=1, max_size=8)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=5), form=st.sampled_from(["NFC", "NFD"]),
       separator=st.sampled_from(SEPARATORS), wrap=st.sampled_from(["plain", "gzip", "bz2", "xz"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_words_in_any_script_come_back_lowercase_and_nfc(tmp_path, lines, form, separator, wrap, encoding):
    text = "\n".join(separator.join(unicodedata.normalize(form, w) for w in words) for words in lines) + "\n"
    data = text.encode(encoding)
    data = {"plain": lambda d: d, "gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[wrap](data)
    expected = [[unicodedata.normalize("NFC", w.lower()) for w in words] for words in lines]
    assert read_text(write(tmp_path, "corpus", data), encoding=encoding) == expected


@pytest.mark.parametrize("text, words", [
    ("Le café est très bon", ["le", "café", "est", "très", "bon"]),
    ("Привет, мир! Как дела?", ["привет", "мир", "как", "дела"]),
    ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),
    ("Don’t stop: rock'n'roll", ["don't", "stop", "rock'n'roll"]),
    ("今日は、良い天気です。", ["今日は", "良い天気です"]),  # no spaces: runs between punctuation
    ("mp3 players in 2024", ["mp", "players", "in"]),
])
def test_words_of_each_script(tmp_path, text, words):
    assert read_text(write(tmp_path, "t.txt", text.encode()))[0] == words


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.text(st.characters(codec="ascii", categories=["L", "Zs"]), max_size=30),
       bad=st.sampled_from([b"\xe9", b"\xff", b"\xc3(", b"\x80", b"\xed\xa0\x80"]), wrap=st.sampled_from(["plain", "gzip"]))
def test_bytes_that_are_not_utf8_are_named_by_offset(tmp_path, prefix, bad, wrap):
    data = prefix.encode() + bad + b" words"
    offset = len(prefix.encode())  # Python's own decoder agrees on where the text breaks
    with pytest.raises(UnicodeDecodeError) as reference:
        data.decode("utf-8")
    assert reference.value.start == offset
    where = " of its gzip-decompressed content" if wrap == "gzip" else ""
    path = write(tmp_path, "corpus", gzip.compress(data) if wrap == "gzip" else data)
    with pytest.raises(ValueError, match=rf"is not utf-8 text: byte {offset}{where} \(0x{bad[0]:02x}\)"):
        read_text(path)
    if wrap == "plain" and bad == b"\xe9":
        assert read_text(path, encoding="latin-1")[0][-1] == "words"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=200))
def test_binary_content_is_refused_or_read_as_valid_text(tmp_path, data):
    """Random bytes: refused by name, or they decode as UTF-8 without control characters and are read."""
    path = write(tmp_path, "blob", data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        with pytest.raises(ValueError, match="is not utf-8 text: byte"):
            read_text(path)
        return
    if any(character < " " and character not in "\t\n\x0b\x0c\r\x1b" for character in text):
        with pytest.raises(ValueError, match="control character .* a binary file, not text"):
            read_text(path)


def test_archives_damaged_files_and_unknown_encodings_are_refused(tmp_path):
    archive = tmp_path / "corpus.zip"
    with zipfile.ZipFile(archive, "w") as file:
        file.writestr("corpus.txt", "some words")
    with pytest.raises(ValueError, match="is a zip archive, not text"):
        read_text(str(archive))
    damaged = write(tmp_path, "cut.gz", gzip.compress(b"some words " * 100)[:40])
    with pytest.raises(ValueError, match="starts like a gzip file but cannot be decompressed"):
        read_text(damaged)
    with pytest.raises(ValueError, match="control character '\\\\x00' at byte 4"):
        read_text(write(tmp_path, "nul", b"some\x00words"))
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        read_text(write(tmp_path, "ok", b"words"), encoding="klingon")
    with pytest.raises(ValueError, match="no words found"):
        read_text(write(tmp_path, "digits", b"12 34\n\n"))
