"""A lab as a Jupyter notebook: a jupytext percent script with tagged cells, each check locked and given its solution."""

from __future__ import annotations

import os
import re

from keras_workshop.notebooks._convert import assemble, colab_badge

_CHECK = re.compile(r"^check\.(\w+)\(\)\s*$")
LOCKED = {"editable": False, "deletable": False}


def lab_to_notebook(path: str, repository: str | None = None):
    """The notebook of the lab source at `path` (`labs/sources/<lab>.py`, jupytext's percent format).

    Each cell tagged `exercise` is one the learner edits; the cell after it
    must be its check, tagged `check` and holding only `check.<exercise>()`.
    The check cell is locked (not editable, not deletable) and preceded by a
    cell holding `# %load solutions/<lab>/<exercise>.py`, which loads the
    solution when uncommented and run; that file must exist. The title cell
    gets an "Open in Colab" badge; an install cell comes second, as in the
    recipes' notebooks; ids come from positions.

    Raises:
        ValueError: an exercise without its check, a check that is not one
            call, or a missing solution file, naming the cell.
    """
    import jupytext

    lab = os.path.basename(path).removesuffix(".py")
    source = jupytext.read(path, fmt="py:percent")
    solutions = os.path.join(os.path.dirname(os.path.abspath(path)), os.pardir, "solutions", lab)
    cells, metadata = [], []
    for position, cell in enumerate(source.cells):
        tags = list(cell.metadata.get("tags", []))
        if "check" in tags:
            match = _CHECK.match(cell.source.strip())
            previous = source.cells[position - 1] if position else None
            if not match or previous is None or "exercise" not in previous.metadata.get("tags", []):
                raise ValueError(f"{path}: cell {position + 1} is tagged `check`: it must hold only "
                                 f"`check.<exercise>()` and follow a cell tagged `exercise`; got {cell.source!r}.")
            exercise = match.group(1)
            if not os.path.exists(os.path.join(solutions, f"{exercise}.py")):
                raise ValueError(f"{path}: no solution for `{exercise}`: expected solutions/{lab}/{exercise}.py.")
            cells.append(("code", f"# %load solutions/{lab}/{exercise}.py"))
            metadata.append({"tags": ["solution"]})
            cells.append(("code", cell.source.strip()))
            metadata.append({"tags": tags, **LOCKED})
            continue
        if "exercise" in tags and (position + 1 >= len(source.cells)
                                   or "check" not in source.cells[position + 1].metadata.get("tags", [])):
            raise ValueError(f"{path}: cell {position + 1} is tagged `exercise` but the next cell is not its check.")
        cells.append((cell.cell_type, cell.source.strip("\n")))
        metadata.append({"tags": tags} if tags else {})
    if not cells or cells[0][0] != "markdown" or not cells[0][1].startswith("# "):
        raise ValueError(f"{path}: a lab opens with a Markdown title cell (`# %% [markdown]` then `# # Title`).")
    title, _, rest = cells[0][1].partition("\n\n")
    cells[0] = ("markdown", "\n\n".join(part for part in (title, colab_badge("labs", lab, repository), rest) if part))
    return assemble(lab, cells, path, repository, metadata)
