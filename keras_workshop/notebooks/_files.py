"""Every recipe's notebook written to `notebooks/`, or checked against what is there."""

from __future__ import annotations

import glob
import os

from keras_workshop.notebooks._convert import recipe_to_notebook
from keras_workshop.notebooks._labs import lab_to_notebook


def notebook_text(notebook) -> str:
    """A notebook as it is committed: nbformat's JSON (one-space indents, sorted keys) and a final newline."""
    import nbformat

    return nbformat.writes(notebook, version=4) + "\n"


def write_notebooks(recipes: str = "recipes", notebooks: str = "notebooks", check: bool = False,
                    repository: str | None = None) -> list[str]:
    """Converts each `<recipes>/<name>.py` to `<notebooks>/<name>.ipynb`.

    Args:
        recipes: the recipes' folder.
        notebooks: the notebooks' folder (made if missing).
        check: write nothing; report the notebooks that differ from what the
            converter writes, or that are missing, or that have no recipe.
        repository: as in `recipe_to_notebook`.

    Returns:
        With `check`, the paths of the notebooks that are not what the
        converter writes (an empty list: all are); otherwise the paths written.

    Example:

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> os.makedirs(f"{folder}/recipes")
    >>> _ = open(f"{folder}/recipes/hello.py", "w").write('\"\"\"\\nTitle: Hello\\n\"\"\"\\nprint("hello")\\n')
    >>> _ = open(f"{folder}/requirements-no-deps.txt", "w").write("recbole==1.2.1\\n")
    >>> out = f"{folder}/notebooks"
    >>> [os.path.basename(p) for p in write_notebooks(f"{folder}/recipes", out, repository="https://github.com/o/r")]
    ['hello.ipynb']
    >>> write_notebooks(f"{folder}/recipes", out, check=True, repository="https://github.com/o/r")
    []
    """
    sources = sorted(glob.glob(os.path.join(recipes, "*.py")))
    if not sources:
        raise ValueError(f"write_notebooks: no recipe (`*.py`) in {recipes!r}.")
    return _sync({source: recipe_to_notebook(source, repository) for source in sources}, notebooks, check)


def write_labs(sources: str = os.path.join("labs", "sources"), labs: str = "labs", check: bool = False,
               repository: str | None = None) -> list[str]:
    """Converts each lab source `<sources>/<lab>.py` to `<labs>/<lab>.ipynb` (`lab_to_notebook`).

    Arguments and result as in `write_notebooks`.
    """
    paths = sorted(glob.glob(os.path.join(sources, "*.py")))
    if not paths:
        raise ValueError(f"write_labs: no lab source (`*.py`) in {sources!r}.")
    return _sync({path: lab_to_notebook(path, repository) for path in paths}, labs, check)


def _sync(notebooks: dict, folder: str, check: bool) -> list[str]:
    """Writes `{source path: notebook}` as `<folder>/<source name>.ipynb`, or lists those that differ."""
    expected = {os.path.join(folder, os.path.basename(source).removesuffix(".py") + ".ipynb"): notebook_text(notebook)
                for source, notebook in notebooks.items()}
    if check:
        stale = sorted(set(glob.glob(os.path.join(folder, "*.ipynb"))) - set(expected))
        return stale + [path for path, text in expected.items() if _read(path) != text]
    os.makedirs(folder, exist_ok=True)
    for path, text in expected.items():
        if _read(path) != text:
            temporary = f"{path}.tmp{os.getpid()}"
            with open(temporary, "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
            os.replace(temporary, path)  # a reader never sees half a notebook
    return list(expected)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as file:
            return file.read()
    except FileNotFoundError:
        return None
