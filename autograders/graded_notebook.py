"""What a student's feedback shows of a graded notebook: its cells, as plain data.

Built in the grading process from the notebook's JSON (after `normalise`, so the indices are
the ones `submission.cells_to_run` gave the sandbox) and what each cell showed in the sandbox
(`cell_outputs.notebook_outputs`). Test cells are never run by this grader (the registry holds
the checks); they show their visible part only, hidden regions removed as nbgrader's feedback
does (`HideHiddenTests`), and the page puts the check's verdict under them.
"""

from __future__ import annotations

from autograders.cell_outputs import notebook_outputs
from autograders.normalise import cell_role, grade_id_of
from autograders.problems.manual import MANUAL_POINTS
from autograders.results import NotebookView, ViewCell

HIDDEN = "# (hidden tests are not shown)"
RASTER_ATTACHMENTS = ("image/png", "image/jpeg", "image/gif")


def notebook_view(cells: list[dict], reports: dict[int, dict]) -> NotebookView:
    """The view of a notebook whose normalised cells are `cells`; `reports` maps a cell's index
    to what it showed in the sandbox (`pipeline.grade_notebook`'s `cell_outputs`)."""
    return NotebookView(tuple(_view_cell(cell, reports.get(i)) for i, cell in enumerate(cells)))


def _view_cell(cell: dict, report: dict | None) -> ViewCell:
    source = cell["source"]
    if cell["cell_type"] == "markdown":
        # the answer to a question graded by hand (why_detach): the page links to it
        answer = grade_id_of(cell) if grade_id_of(cell) in MANUAL_POINTS else ""
        return ViewCell("markdown", source, answer, attachments=_raster(cell.get("attachments")))
    if cell["cell_type"] != "code":
        return ViewCell("raw", source)
    role = cell_role(cell)
    if role == "test":
        # here, not at the top: the plug-in package imports the pipeline, which imports this
        from autograders.nbgrader_plugin.feedback import hide_regions

        return ViewCell("test", hide_regions(source, HIDDEN), grade_id_of(cell))
    question = grade_id_of(cell) if role == "answer" else ""
    return ViewCell("code", source, question, tuple(notebook_outputs(report)))


def _raster(attachments: object) -> dict | None:
    """A markdown cell's image attachments (other kinds are dropped, as in nbgrader's view)."""
    if not isinstance(attachments, dict):
        return None
    kept = {
        name: {kind: data for kind, data in bundle.items() if kind in RASTER_ATTACHMENTS}
        for name, bundle in attachments.items()
        if isinstance(bundle, dict)
    }
    return {name: bundle for name, bundle in kept.items() if bundle} or None
