"""TensorFlow's import without the C++ start-up lines that `TF_CPP_MIN_LOG_LEVEL` no longer silences."""

from __future__ import annotations

import os
import re
import sys
import tempfile

_SEVERITY = re.compile(r"^([IWEF])\d{4} ")  # Abseil's line prefix: I (info), W, E, F and the date
_ABSL_NOTE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow, showing only the start-up lines at or above `TF_CPP_MIN_LOG_LEVEL` (default 3 here).

    TensorFlow 2.21 logs while it loads through Abseil before
    `absl::InitializeLog()`, and Abseil then writes every line to stderr
    whatever its level (abseil/abseil-cpp#1957), so `TF_CPP_MIN_LOG_LEVEL=3`
    no longer hides `oneDNN custom operations are on` or `Could not find cuda
    drivers`. This imports TensorFlow with stderr captured, then writes back
    each captured line whose level is at or above `TF_CPP_MIN_LOG_LEVEL`
    (0: info, 1: warnings, 2: errors, 3: fatal only) and every line that is
    not one of Abseil's. If the import fails, every line is written back.
    Nothing happens when TensorFlow is already imported. Call it before
    `import keras`, as the recipes do.

    Example:

    >>> import_tensorflow_quietly()
    >>> import tensorflow as tf
    """
    if "tensorflow" in sys.modules:
        return
    level = int(os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3") or 0)
    sys.stderr.flush()
    saved = os.dup(2)
    failed = True
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401

            failed = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode("utf-8", errors="replace").splitlines(keepends=True)
            sys.stderr.writelines(line for line in lines if failed or _shown(line, level))
            sys.stderr.flush()


def _shown(line: str, level: int) -> bool:
    if line.startswith(_ABSL_NOTE):
        return level == 0
    severity = _SEVERITY.match(line)
    return severity is None or "IWEF".index(severity.group(1)) >= level
