"""Read submitted notebooks as plain JSON, and keep only what the sandbox should run.

A submitted notebook is data: it is parsed, never imported or executed here. Both front ends
read it through `load_notebook`, which repairs its shape in one documented way
(`autograders.normalise`), and choose what runs with `cells_to_run`: test cells are dropped
(tests and points come from the registry, which mirrors the instructor's notebooks); the
answer cells and the student's own code cells run in the sandbox, in order.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograders import problems
from autograders.normalise import InvalidNotebook, cell_role, grade_id_of, normalise_notebook
from autograders.sandbox.messages import Cell
from autograders.student_ids import is_valid_student_id, refusal

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_CELLS = 1000


class NotGradable(Exception):
    """The notebook cannot be graded; the message says why, in a few words."""


@dataclass
class NotebookCells:
    cells: list[Cell] = field(default_factory=list)  # to run, in order
    answer_cells: dict[str, int] = field(default_factory=dict)  # question id -> cell index


def student_folders(submitted: Path) -> dict[str, Path]:
    """student id -> the student's assignment folder, for nbgrader's submitted layout.

    `submitted` is either the `submitted/` folder (one sub-folder per student) or one student's
    folder. Every student folder gets an entry, even one with nothing gradable in it, except a
    folder whose name is not a valid student id (`autograders.student_ids`): that one is set
    aside with a message on stderr, its name escaped, since an id ends up in every report.
    Hidden folders (a leading dot) are skipped silently, as before.
    """
    if (submitted / problems.ASSIGNMENT).is_dir():
        candidates = [submitted]
    else:
        candidates = [
            entry
            for entry in sorted(submitted.iterdir())
            if entry.is_dir() and not entry.name.startswith(".")
        ]
    folders = {}
    for folder in candidates:
        if is_valid_student_id(folder.name):
            folders[folder.name] = folder / problems.ASSIGNMENT
        else:
            print(refusal(folder.name), file=sys.stderr)
    return folders


def read_notebook(path: Path) -> NotebookCells:
    return cells_to_run(load_notebook(path)["cells"])


def load_notebook(path: Path, repairs: list[str] | None = None) -> dict:
    """The notebook's JSON, repaired by `normalise_notebook` (its repairs are appended to
    `repairs` when given); NotGradable when it cannot be read as a notebook at all."""
    if not path.is_file():
        raise NotGradable("missing")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise NotGradable("too large")
    try:
        notebook = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise NotGradable("not a notebook (invalid JSON)") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotGradable("not a notebook (no cells)")
    version = notebook.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool) or version < 4:
        raise NotGradable("old notebook format (nbformat < 4)")
    if version > 4:
        raise NotGradable(f"unknown notebook format (nbformat {version})")
    if len(notebook["cells"]) > MAX_CELLS:
        raise NotGradable("too many cells")
    try:
        found = normalise_notebook(notebook)
    except InvalidNotebook as why:
        raise NotGradable(f"not a valid notebook ({why})") from None
    except RecursionError:
        raise NotGradable("not a valid notebook (nested too deeply)") from None
    if repairs is not None:
        repairs += found
    return notebook


def cells_to_run(cells: list) -> NotebookCells:
    """The code cells to run in order (test cells dropped), and where each answer cell is.

    `cells` are a notebook's cells after `normalise_notebook`; what each is for comes from
    `normalise.cell_role`.
    """
    found = NotebookCells()
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        role = cell_role(cell)
        if role == "test":
            continue
        if role == "answer":
            found.answer_cells.setdefault(grade_id_of(cell), index)
        source = cell.get("source", "")
        found.cells.append(Cell(index=index, source=source if isinstance(source, str) else ""))
    return found
