"""Make a submission from a release notebook: put given answers into its solution cells."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import nbformat


def solution_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The notebook's nbgrader solution cells (code or markdown), by grade_id.

    Raises:
        ValueError: two solution cells share a grade_id, so an answer would be ambiguous.
    """
    cells: dict[str, nbformat.NotebookNode] = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        grade_id = meta.get("grade_id")
        if grade_id in cells:
            raise ValueError(f"two solution cells have the grade_id {grade_id!r}")
        cells[grade_id] = cell
    return cells


def fill_answers(release_notebook: Path, answers: Mapping[str, str], dest: Path) -> None:
    """Copy release_notebook to dest, replacing the source of the solution cells in answers.

    answers maps the nbgrader grade_id of a solution cell (a code cell, or a markdown answer
    cell such as a manually graded one) to the complete new source of that cell, used exactly
    as given: no dedenting, no stripping, so a corpus can hold badly indented answers too. An
    empty mapping copies the notebook unchanged, like a student who submits the release as it
    came.

    Everything else is copied as it is: the other cells, every cell's metadata (nbgrader's
    checksums included, so nbgrader can tell an answered cell from an untouched one), outputs
    and the notebook metadata. The parent folders of dest are created; an existing dest is
    overwritten.

    Raises:
        KeyError: a key of answers names no solution cell of the notebook (a typo would
            otherwise leave that answer blank without a word).
        ValueError: two solution cells of the notebook share a grade_id.
    """
    notebook = nbformat.read(release_notebook, as_version=nbformat.NO_CONVERT)
    cells = solution_cells(notebook)
    unknown = sorted(set(answers) - set(cells))
    if unknown:
        raise KeyError(
            f"{release_notebook.name} has no solution cell {unknown}; "
            f"its solution cells are {sorted(cells)}"
        )
    for grade_id, source in answers.items():
        cells[grade_id].source = source
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, dest)
