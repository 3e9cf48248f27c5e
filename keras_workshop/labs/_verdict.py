"""A check's verdict: one line in a terminal, a coloured box in Jupyter, JSON for the tests."""

from __future__ import annotations

import dataclasses
import html

MIME_TYPE = "application/vnd.keras-workshop.verdict+json"
STATUSES = ("passed", "not answered", "failed")
_LOOK = {"passed": ("✔", "#2e7d32", "#e8f5e9"), "not answered": ("…", "#6d6d6d", "#f3f3f3"),
         "failed": ("✘", "#c62828", "#ffebee")}


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What a check found: `status` is `"passed"`, `"not answered"` or `"failed"`; `message` says why.

    Shown as one plain line (`str`), as HTML in Jupyter, and, for programs
    and tests, as JSON under `MIME_TYPE` in the cell's output (`as_dict`).

    Example:

    >>> print(Verdict("onehot", "failed", "the 1 is one place off: ids start at 0"))
    ✘ onehot: failed: the 1 is one place off: ids start at 0
    """

    exercise: str
    status: str
    message: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"Verdict: status must be one of {STATUSES}, got {self.status!r}.")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        mark = _LOOK[self.status][0]
        return f"{mark} {self.exercise}: {self.status}" + (f": {self.message}" if self.message else "")

    def _repr_html_(self) -> str:
        mark, colour, background = _LOOK[self.status]
        message = f": {html.escape(self.message)}" if self.message else ""
        return (f'<div style="border-left: 4px solid {colour}; background: {background}; padding: 4px 10px; '
                f'font-family: sans-serif"><b style="color: {colour}">{mark} {html.escape(self.exercise)}</b>'
                f" {self.status}{message}</div>")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": str(self), "text/html": self._repr_html_(), MIME_TYPE: self.as_dict()}


@dataclasses.dataclass(frozen=True)
class Summary:
    """The verdicts of one lab's exercises, in order; an exercise never checked counts as not answered.

    Example:

    >>> print(Summary("lab", [Verdict("a", "passed"), Verdict("b", "not answered")]))
    lab: 1 of 2 exercises passed
      ✔ a: passed
      … b: not answered
    """

    lab: str
    verdicts: list

    def __str__(self) -> str:
        passed = sum(verdict.passed for verdict in self.verdicts)
        lines = [f"{self.lab}: {passed} of {len(self.verdicts)} exercises passed"]
        return "\n".join(lines + [f"  {verdict}" for verdict in self.verdicts])

    def as_dict(self) -> dict:
        return {"lab": self.lab, "verdicts": [verdict.as_dict() for verdict in self.verdicts]}

    def _repr_html_(self) -> str:
        passed = sum(verdict.passed for verdict in self.verdicts)
        rows = "".join(verdict._repr_html_() for verdict in self.verdicts)
        return (f'<div style="font-family: sans-serif"><b>{html.escape(self.lab)}: {passed} of '
                f"{len(self.verdicts)} exercises passed</b>{rows}</div>")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": str(self), "text/html": self._repr_html_(), MIME_TYPE: self.as_dict()}
