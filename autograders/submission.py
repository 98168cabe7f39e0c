"""Read submitted notebooks as plain JSON, and keep only what the sandbox should run.

A submitted notebook is data: it is parsed, never imported or executed here. Test cells are
dropped (tests and points come from the registry, which mirrors the instructor's notebooks);
the other code cells, including a student's scratch cells, run in the sandbox in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autograders import problems

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_CELLS = 1000


class NotGradable(Exception):
    """The notebook cannot be graded; the message says why, in a few words."""


@dataclass
class NotebookCells:
    cells: list[dict] = field(default_factory=list)  # [{"index": i, "source": "..."}] to run
    answer_cells: dict[str, int] = field(default_factory=dict)  # question id -> cell index


def student_folders(submitted: Path) -> dict[str, Path]:
    """student id -> the student's assignment folder, for nbgrader's submitted layout.

    `submitted` is either the `submitted/` folder (one sub-folder per student) or one student's
    folder. Every student folder gets an entry, even one with nothing gradable in it.
    """
    if (submitted / problems.ASSIGNMENT).is_dir():
        return {submitted.name: submitted / problems.ASSIGNMENT}
    return {
        entry.name: entry / problems.ASSIGNMENT
        for entry in sorted(submitted.iterdir())
        if entry.is_dir() and not entry.name.startswith(".")
    }


def read_notebook(path: Path) -> NotebookCells:
    return cells_to_run(load_notebook(path)["cells"])


def load_notebook(path: Path) -> dict:
    """The notebook's JSON, checked just enough to be walked safely; NotGradable if not."""
    if not path.is_file():
        raise NotGradable("missing")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise NotGradable("too large")
    try:
        notebook = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        raise NotGradable("not a notebook (invalid JSON)") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotGradable("not a notebook (no cells)")
    if not isinstance(notebook.get("nbformat"), int) or notebook["nbformat"] < 4:
        raise NotGradable("old notebook format (nbformat < 4)")
    if len(notebook["cells"]) > MAX_CELLS:
        raise NotGradable("too many cells")
    return notebook


def cells_to_run(cells: list) -> NotebookCells:
    """The code cells to run in order (test cells dropped), and where each answer cell is."""
    found = NotebookCells()
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        grade_id = _grade_id(cell)
        if _is_test_cell(cell, grade_id):
            continue
        if grade_id in problems.QUESTION_IDS:
            found.answer_cells.setdefault(grade_id, index)
        found.cells.append({"index": index, "source": _source(cell)})
    return found


def _nbgrader_metadata(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}


def _grade_id(cell: dict) -> str:
    grade_id = _nbgrader_metadata(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else ""


def _is_test_cell(cell: dict, grade_id: str) -> bool:
    """An instructor's test cell, by its id or its nbgrader flags (a student who strips them
    just turns a test into a scratch cell, which runs harmlessly)."""
    if grade_id in problems.CHECKS or any(
        grade_id.startswith(f"{q}_test") for q in problems.QUESTION_IDS
    ):
        return True
    nbgrader = _nbgrader_metadata(cell)
    return nbgrader.get("grade") is True and nbgrader.get("solution") is not True


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""
