"""Notebooks: every recipe as a Jupyter notebook, generated from its source the way keras-io does it.

- `recipe_cells`, `recipe_to_notebook`: a recipe's header as a title cell (with an "Open in
  Colab" badge), each `\"\"\"## ...\"\"\"` block as a Markdown cell, the code between as code
  cells, after a cell that installs the package where it is missing (`install_cell`,
  `project_repository`).
- `write_notebooks`, `notebook_text`: `notebooks/<recipe>.ipynb` for every recipe, or with
  `check=True` the notebooks that differ from what the converter writes
  (`python -m keras_workshop.notebooks [--check]`, `make notebooks`).
- `lab_to_notebook`, `write_labs`: each lab (`labs/sources/<lab>.py`, jupytext's percent format,
  cells tagged `exercise` and `check`) as `labs/<lab>.ipynb`, its checks locked and each
  preceded by a cell that loads the solution on request.
- `with_settings`: a notebook with other values in its settings cell (shorter runs, in tests).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_convert": ["install_cell", "project_repository", "recipe_cells", "recipe_to_notebook"],
        "_files": ["notebook_text", "write_labs", "write_notebooks"],
        "_labs": ["lab_to_notebook"],
        "_settings_cell": ["with_settings"],
    },
)
