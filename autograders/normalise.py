"""One repair for every notebook shape, shared by both front ends.

A submitted notebook is JSON that an editor, a script or a student may have bent out of shape.
`python -m autograders grade` and `nbgrader autograde` (through `TolerantNotebookExporter`)
both pass the parsed JSON through `normalise_notebook` before anything else reads it, so both
see the same cells and run the same code in the same order. In this order:

1. The shape nbformat 4.5 requires. The top level keeps `cells`, `metadata`, `nbformat` and
   `nbformat_minor` (set to 5); an entry of `cells` that is not an object is removed; a cell
   gets `metadata` ({}) and `source` ("") when they are missing or of the wrong type (a list
   of strings is joined); an unknown `cell_type` becomes `raw` (kept, never run); keys
   nbformat does not know are dropped; outputs and execution counts are cleared (neither
   front end reads them, markdown and raw cells have none); a missing, malformed or repeated
   cell id is replaced by `cell-<n>`.
2. nbgrader metadata, by grade_id (see `cell_role`). Metadata that is not an object with a
   non-empty string grade_id is removed. A cell carrying a registry question's or test's
   grade_id is a code cell (nbgrader's OverwriteCells restores the instructor's cell type
   too). The first cell with a grade_id keeps it; a test cell that is not that first copy of
   an instructor's test (a later copy, a fake test cell) is removed, so no copy of a test ever
   runs; any other later copy, and a code cell with a grade_id the registry does not know,
   loses its nbgrader metadata and runs as the student's own cell.
3. Cell and notebook metadata that nbformat's schema rejects is removed (nbformat's own
   `strip_invalid_metadata`, then the whole metadata of a cell still rejected, except its
   nbgrader part). A notebook that nbformat still rejects raises `NotGradable`.

Each repair is described in a short line; nbgrader's front end logs them.
"""

from __future__ import annotations

import re
import warnings
from typing import Literal

from nbformat.validator import get_validator, isvalid, normalize

from autograders import problems

CELL_KEYS = {
    "code": ("id", "cell_type", "metadata", "source", "outputs", "execution_count"),
    "markdown": ("id", "cell_type", "metadata", "source", "attachments"),
    "raw": ("id", "cell_type", "metadata", "source", "attachments"),
}
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # nbformat 4.5's pattern
Role = Literal["test", "answer", "plain"]


class InvalidNotebook(ValueError):
    """nbformat rejects the notebook even after every repair."""


def cell_role(cell: dict) -> Role:
    """What a code cell is for grading, decided by its grade_id first and flags second.

    "answer": a registry question's grade_id, whatever its flags (they are the instructor's);
    "test": a registry test's grade_id, any `<question>_test...` id, or test flags (grade
    without solution) under any other grade_id: never run, the registry holds the tests;
    "plain": everything else, the student's own cells, run in order.
    """
    grade_id = grade_id_of(cell)
    if grade_id in problems.QUESTION_IDS:
        return "answer"
    if grade_id in problems.CHECKS or any(
        grade_id.startswith(f"{q}_test") for q in problems.QUESTION_IDS
    ):
        return "test"
    meta = _nbgrader(cell)
    return "test" if meta.get("grade") is True and meta.get("solution") is not True else "plain"


def grade_id_of(cell: dict) -> str:
    grade_id = _nbgrader(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else ""


def normalise_notebook(notebook: dict) -> list[str]:
    """Repair `notebook` (parsed JSON with a list of cells and nbformat 4) in place.

    Returns one line per repair, for the log; raises InvalidNotebook when nbformat still
    rejects the result.
    """
    repairs: list[str] = []
    for key in set(notebook) - {"cells", "metadata", "nbformat", "nbformat_minor"}:
        del notebook[key]
        repairs.append(f"unknown top-level key {key!r}: removed")
    if not isinstance(notebook.get("metadata"), dict):
        notebook["metadata"] = {}
    notebook["nbformat_minor"] = 5
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if isinstance(cell, dict):
            cells.append(_cell_shape(cell, index, repairs))
        else:
            repairs.append(f"cell {index} is not a cell ({type(cell).__name__}): removed")
    notebook["cells"] = _grade_ids(cells, repairs)
    _cell_ids(notebook["cells"], repairs)
    _schema(notebook, repairs)
    return repairs


def _cell_shape(cell: dict, index: int, repairs: list[str]) -> dict:
    kind = cell.get("cell_type")
    if not isinstance(kind, str) or kind not in CELL_KEYS:
        shown = repr(kind[:40]) if isinstance(kind, str) else f"of type {type(kind).__name__}"
        repairs.append(f"cell {index} has an unknown cell type {shown}: made raw")
        kind = "raw"
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if (
        isinstance(metadata, dict)  # as `nbgrader is not None` implies
        and nbgrader is not None
        and not (isinstance(nbgrader, dict) and grade_id_of(cell))
    ):
        repairs.append(f"cell {index} has nbgrader metadata without a grade_id: removed")
        del metadata["nbgrader"]
    shaped = {key: cell[key] for key in CELL_KEYS[kind] if key in cell}
    shaped.update(
        cell_type=kind,
        metadata=metadata if isinstance(metadata, dict) else {},
        source=_source_text(cell.get("source")),
    )
    if grade_id_of(shaped) in (*problems.QUESTION_IDS, *problems.CHECKS) and kind != "code":
        repairs.append(f"cell {index} ({grade_id_of(shaped)}) was {kind}: made code again")
        kind = shaped["cell_type"] = "code"
    if kind == "code":
        shaped.update(outputs=[], execution_count=None)
        shaped.pop("attachments", None)
    elif not isinstance(shaped.get("attachments", {}), dict):
        del shaped["attachments"]
    return shaped


def _source_text(source: object) -> str:
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def _grade_ids(cells: list[dict], repairs: list[str]) -> list[dict]:
    """The first cell with a grade_id keeps it; other test cells go, other copies lose it."""
    seen: set[str] = set()
    kept = []
    for index, cell in enumerate(cells):
        grade_id = grade_id_of(cell)
        code = cell["cell_type"] == "code"
        known = grade_id in problems.QUESTION_IDS or grade_id in problems.CHECKS
        first = grade_id not in seen
        seen.add(grade_id)
        if code and cell_role(cell) == "test" and not (known and first):
            repairs.append(
                f"cell {index}: test cell {grade_id!r} (a copy or not the instructor's): removed"
            )
            continue
        if grade_id and (not first or (code and not known)):
            repairs.append(
                f"cell {index}: nbgrader metadata for {grade_id!r} (a copy or not the "
                "instructor's): removed, the cell runs as the student's own"
            )
            del cell["metadata"]["nbgrader"]
        kept.append(cell)
    return kept


def _cell_ids(cells: list[dict], repairs: list[str]) -> None:
    seen: set[str] = set()
    missing = []
    for cell in cells:
        cell_id = cell.get("id")
        if isinstance(cell_id, str) and CELL_ID.match(cell_id) and cell_id not in seen:
            seen.add(cell_id)
        else:
            missing.append(cell)
    number = 0
    for cell in missing:
        while f"cell-{number}" in seen:
            number += 1
        cell["id"] = f"cell-{number}"
        seen.add(cell["id"])
    if missing:
        repairs.append(f"{len(missing)} cell id(s) missing, malformed or repeated: replaced")


def _schema(notebook: dict, repairs: list[str]) -> None:
    if _valid(notebook):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, stripped = normalize(notebook, 4, 5, strip_invalid_metadata=True)
    notebook.update(stripped)
    for index in _rejected_cells(notebook):
        cell = notebook["cells"][index]
        cell.pop("attachments", None)
        nbgrader = cell["metadata"].get("nbgrader")
        cell["metadata"] = {} if nbgrader is None else {"nbgrader": nbgrader}
    repairs.append("metadata that nbformat rejects: removed")
    if not isvalid(notebook, version=4, version_minor=5):
        raise InvalidNotebook("nbformat rejects it")


def _valid(notebook: dict) -> bool:
    """nbformat 4.5's schema accepts `notebook`: the check `isvalid` ends with, without its
    deep copy of the notebook (a fifth of the grader's own time per student)."""
    validator = get_validator(version=4, version_minor=5)
    return validator is not None and not any(True for _ in validator.iter_errors(notebook))


def _rejected_cells(notebook: dict) -> list[int]:
    return [
        index
        for index, cell in enumerate(notebook["cells"])
        if not isvalid(cell, ref=f"{cell['cell_type']}_cell", version=4, version_minor=5)
    ]


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}
