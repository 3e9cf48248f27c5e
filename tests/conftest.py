"""Paths the tests share (the seed and the log level are set by the repository's conftest.py)."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLIDES = os.path.join(REPO, "docs", "slides", "embeddings_and_dropout.md")
