import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLIDES = os.path.join(REPO, "docs", "slides", "embeddings_and_dropout.md")


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
