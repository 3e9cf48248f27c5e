"""Whether this process is a Jupyter kernel: what a recipe, a figure and a progress bar do differently there."""

from __future__ import annotations

import sys


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (whose own `-f <connection file>` argument is no option of ours).

    Example:

    >>> in_notebook()  # a doctest runs in no kernel
    False
    """
    return "ipykernel" in sys.modules and "ipykernel" in (sys.argv[0] if sys.argv else "")
