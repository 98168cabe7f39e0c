"""nbgrader preprocessors that put the isolated engine behind `nbgrader autograde`, keep
hidden tests out of `nbgrader generate_feedback`, and keep student content inert in every page
nbgrader renders. Wired up in the course's nbgrader_config.py (and, for the formgrader's URL
guard, in jupyter_server_config.py).

Each name is imported on first use (PEP 562): the CLI's reports use a helper or two of these
modules, and must not import nbgrader itself (about a second of start-up) to get them.
"""

from __future__ import annotations

import importlib

_MODULE_OF = {
    "EmbedImages": "embed_images",
    "HideHiddenTests": "feedback",
    "IsolatedExecute": "execute",
    "MakeStudentContentInert": "inert_cells",
    "RestoreTestCells": "sanitize",
    "TolerantNotebookExporter": "reading",
    "WarnUngraded": "ungraded",
    "refuse_invalid_student_ids": "student_check",
}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
