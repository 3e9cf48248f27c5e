"""A notebook with other values in its settings cell, as a learner would edit it."""

from __future__ import annotations

import copy
import re


def with_settings(notebook, **values):
    """A copy of `notebook` whose settings lines (`NAME: kind = value  # help`) hold `values` instead.

    Each keyword is a setting's name (`EPOCHS=3`); its value is written as
    Python (`repr`). The kind and the comment stay.

    Raises:
        ValueError: a name that is no setting of the notebook.

    Example:

    >>> import nbformat
    >>> notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("EPOCHS: positive_int = 60  # epochs")])
    >>> with_settings(notebook, EPOCHS=3).cells[0].source
    'EPOCHS: positive_int = 3  # epochs'
    """
    changed = copy.deepcopy(notebook)
    for name, value in values.items():
        line = re.compile(rf"^({re.escape(name)}\s*:[^=\n]*=\s*)(.*?)(\s*#.*)?$", re.MULTILINE)
        cells = [cell for cell in changed.cells if cell.cell_type == "code" and line.search(cell.source)]
        if len(cells) != 1:
            settings = sorted({match.group(1) for cell in changed.cells if cell.cell_type == "code"
                               for match in re.finditer(r"^([A-Z][A-Z0-9_]*)\s*:", cell.source, re.MULTILINE)})
            raise ValueError(f"with_settings: `{name}` is not a setting of this notebook; its settings: "
                             f"{', '.join(settings) or 'none'}.")
        cells[0].source = line.sub(lambda match: f"{match.group(1)}{value!r}{match.group(3) or ''}", cells[0].source,
                                   count=1)
    return changed
