"""TensorBoard projector files for embeddings (Keras 3's TensorBoard callback leaves it empty)."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from keras_workshop._checks import check_not_a_string


def write_projector(embeddings, symbols: Sequence, log_dir: str, name: str = "word_vectors") -> list[str]:
    """Writes `vectors.tsv`, `metadata.tsv` and `projector_config.pbtxt` into `log_dir`.

    `tensorboard --logdir <log_dir>` then shows the vectors, labelled with
    their symbols, in the Projector tab.

    Example:

    >>> import tempfile
    >>> log_dir = tempfile.mkdtemp()
    >>> paths = write_projector(np.eye(3), ["tomato", "bread", "salad"], log_dir)
    >>> [os.path.basename(path) for path in paths]
    ['vectors.tsv', 'metadata.tsv', 'projector_config.pbtxt']
    """
    from tensorboard.plugins import projector

    check_not_a_string(symbols, "write_projector: symbols")
    embeddings = np.asarray(embeddings)
    if embeddings.ndim != 2 or len(embeddings) != len(symbols):
        raise ValueError(
            f"write_projector: expected one row per symbol, got embeddings of shape {embeddings.shape} "
            f"for {len(symbols)} symbols."
        )
    os.makedirs(log_dir, exist_ok=True)
    vectors_path = os.path.join(log_dir, "vectors.tsv")
    metadata_path = os.path.join(log_dir, "metadata.tsv")
    np.savetxt(vectors_path, embeddings, delimiter="\t", fmt="%.6g")
    with open(metadata_path, "w", encoding="utf-8") as file:
        file.writelines(f"{str(symbol).replace(chr(9), ' ')}\n" for symbol in symbols)
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = name
    embedding.tensor_path = "vectors.tsv"
    embedding.metadata_path = "metadata.tsv"
    projector.visualize_embeddings(log_dir, config)
    return [vectors_path, metadata_path, os.path.join(log_dir, "projector_config.pbtxt")]
