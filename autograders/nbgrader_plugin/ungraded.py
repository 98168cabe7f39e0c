"""`WarnUngraded`: no feedback goes out with a hand-graded answer silently scored 0.

nbgrader's feedback shows an answer that still waits for its grader as "0.0 / 1.0", exactly
like a wrong one, and `generate_feedback` says nothing. In `GenerateFeedback.preprocessors`,
after `GetGrades`, this preprocessor reads the gradebook and, for each answer cell that still
needs a manual grade:

- logs a warning for the instructor (student, notebook, cell) before anything is released;
- puts a note under the cell in the student's feedback, saying that the points are pending,
  not lost.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook, MissingEntry
from traitlets import Bool

NOTE = (
    "**Graded by hand, pending:** this answer has not been graded yet. Its {points:g} "
    "{unit} will be added when it is; the score shown above is not final."
)


class WarnUngraded(Preprocessor):
    """Warn about, and mark in the feedback, answers that still need a manual grade."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled.").tag(
        config=True
    )

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        pending = pending_manual_grades(
            info["db_url"], info["notebook"], info["assignment"], info["student"]
        )
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in pending:
                self.log.warning(
                    "%s/%s: %s is not graded by hand yet: its feedback shows 0 of %g points "
                    "(grade it in the formgrader, then generate the feedback again)",
                    info["student"],
                    info["notebook"],
                    grade_id,
                    pending[grade_id],
                )
                unit = "point" if pending[grade_id] == 1 else "points"
                cells.append(new_markdown_cell(NOTE.format(points=pending[grade_id], unit=unit)))
        nb.cells = cells
        return nb, resources


def pending_manual_grades(
    db_url: str, notebook: str, assignment: str, student: str
) -> dict[str, float]:
    """grade_id -> max points of each grade cell of the submission that needs a manual grade."""
    with Gradebook(db_url) as gradebook:
        try:
            submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return {}
        return {
            grade.name: float(grade.max_score)
            for grade in submitted.grades
            if grade.needs_manual_grade and grade.manual_score is None
        }
