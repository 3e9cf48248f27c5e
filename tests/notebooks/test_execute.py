"""Notebooks run top to bottom in a real Jupyter kernel (nbclient, ipykernel), headless, figures inline."""

import os

import nbformat
import pytest

from keras_workshop.notebooks import with_settings
from tests.conftest import REPO

SHORT_SETTINGS = {  # each notebook shortened as the recipe tests shorten the scripts
    "embeddings_101": dict(PAIRS=2000),
    "dropout_101": dict(),
    "dropout_curves": dict(EPOCHS=12),
    "word_embeddings": dict(EPOCHS=1, DIM=32, PROBES="police,government,fire"),
    "movie_embeddings": dict(EPOCHS=2),
    "movie_ratings": dict(FOLDS=2, EPOCHS=2, ENSEMBLE=1),
    "rating_dropout_sweep": dict(EPOCHS=2, SWEEP=[0.0, 0.5]),
    "movie_recommendations": dict(SPLIT_SEEDS=[0, 1], MAX_EPOCHS=2, TOWER_EPOCHS=1, EDLAE_RATES=[0.5], EASE_L2=[400.0],
                                  RATING_EPOCHS=1),
    "dropout_as_l2": dict(SPLIT_SEEDS=[0], SWEEP=[0.0, 0.5], EASE_L2=[400.0], FIT_EPOCHS=1),
}
FIGURES = {  # what each writes as a script, under runs/<name>/
    "embeddings_101": ["cosine_histograms.png"],
    "dropout_101": ["mc_dropout.png", "mc_dropout.svg"],
    "dropout_curves": ["dropout_curves_1.png", "dropout_curves_2.png", "dropout_curves_3.png", "regularisers.png"],
    "word_embeddings": ["word_map_tsne.png"],
    "movie_embeddings": ["movie_map_tsne.png"],
    "movie_ratings": [],
    "rating_dropout_sweep": ["dropout_sweep.png", "dropout_sweep_rmse.png"],
    "movie_recommendations": ["against_ease.png", "against_ease.svg"],
    "dropout_as_l2": ["dropout_sweep.png", "dropout_sweep.svg"],
}
FAST = {"embeddings_101", "dropout_101"}  # the others are marked slow


def execute(name, folder):
    """Runs `notebooks/<name>.ipynb` with its short settings, in `folder`, through the `python3` kernel."""
    from nbclient import NotebookClient

    notebook = nbformat.read(os.path.join(REPO, "notebooks", f"{name}.ipynb"), as_version=4)
    notebook = with_settings(notebook, **SHORT_SETTINGS[name])
    NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


@pytest.mark.parametrize("name", [pytest.param(name, marks=() if name in FAST else pytest.mark.slow)
                                  for name in SHORT_SETTINGS])
def test_each_notebook_runs_in_a_kernel_and_shows_and_writes_its_figures(name, tmp_path):
    notebook = execute(name, tmp_path)
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    shown = [output for output in outputs if output.output_type == "display_data" and "image/png" in output.data]
    written = sorted(path.name for path in (tmp_path / "runs" / name).iterdir())
    assert set(FIGURES[name]) <= set(written), written
    assert len(shown) >= len([figure for figure in FIGURES[name] if figure.endswith(".png")])
    assert notebook.cells[1].outputs == []  # inside the repository the install cell does nothing
