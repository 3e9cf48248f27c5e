import numpy as np
import pytest
from google.protobuf import text_format
from tensorboard.plugins import projector

from keras_workshop.embeddings import write_projector


def test_projector_files_open_in_tensorboard(tmp_path):
    weights = np.arange(12, dtype="float32").reshape(4, 3)
    write_projector(weights, ["a", "b", "c", "d"], str(tmp_path))
    np.testing.assert_allclose(np.loadtxt(tmp_path / "vectors.tsv", delimiter="\t"), weights)
    assert (tmp_path / "metadata.tsv").read_text().split() == ["a", "b", "c", "d"]
    config = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), projector.ProjectorConfig())
    (embedding,) = config.embeddings
    assert embedding.tensor_path == "vectors.tsv" and embedding.metadata_path == "metadata.tsv"
    with pytest.raises(ValueError, match="one row per symbol"):
        write_projector(weights, ["a"], str(tmp_path))
