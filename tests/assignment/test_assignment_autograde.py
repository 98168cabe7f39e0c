"""Real `nbgrader autograde` of the demo students gives the points samples/ promises."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from assignment_support import ASSIGNMENT, NOTEBOOKS, SAMPLES
from nbgrader.api import Gradebook

from autograders import problems
from autograders.problems.manual import MANUAL

pytestmark = pytest.mark.slow
EXPECTED = json.loads((SAMPLES / "expected_scores.json").read_text(encoding="utf-8"))


def _autograded_scores(course: Path, student: str) -> dict[str, dict[str, float | None]]:
    """notebook -> {grade cell id -> auto score}, read from the course's gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            name: {
                grade.name: grade.auto_score
                for grade in gradebook.find_submission_notebook(name, ASSIGNMENT, student).grades
            }
            for name in NOTEBOOKS
        }


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_autograded_points_match_samples(autograded_course: Path, student: str) -> None:
    scores = _autograded_scores(autograded_course, student)
    for name in NOTEBOOKS:
        autograded = {k: v for k, v in scores[name].items() if k != "why_detach"}
        assert autograded == EXPECTED[student][name], f"{student}, {name}"


def test_full_solution_scores_full_points_and_release_scores_zero(autograded_course: Path) -> None:
    alice = _autograded_scores(autograded_course, "alice")
    dan = _autograded_scores(autograded_course, "dan")
    auto = [(name, k) for name in NOTEBOOKS for k in alice[name] if k != "why_detach"]
    assert sum(alice[name][k] for name, k in auto) == sum(p.points for p in problems.PROBLEMS)
    assert sum(dan[name][k] for name, k in auto) == 0
    assert alice["derivatives"]["why_detach"] is None  # answered: left to a human grader
    assert dan["derivatives"]["why_detach"] == 0  # unchanged answer cell: nbgrader gives 0


def test_gradebook_points_are_the_registrys(autograded_course: Path) -> None:
    """The max score of every grade cell in the gradebook, as released and as autograded."""
    want = {c.test_id: float(c.points) for c in problems.CHECKS.values()}
    want |= {question.question_id: float(question.points) for question in MANUAL}
    with Gradebook(f"sqlite:///{autograded_course / 'gradebook.db'}") as gradebook:
        released = {
            cell.name: cell.max_score
            for notebook in gradebook.find_assignment(ASSIGNMENT).notebooks
            for cell in notebook.grade_cells
        }
        for student in EXPECTED:
            graded = {
                grade.name: grade.max_score
                for name in NOTEBOOKS
                for grade in gradebook.find_submission_notebook(name, ASSIGNMENT, student).grades
            }
            assert graded == want, student
    assert released == want


def test_autograded_notebooks_keep_the_outputs_of_the_worked_examples(
    autograded_course: Path,
) -> None:
    """Every cell the sandbox ran shows what it printed, as if run in a kernel; the test cells
    show their verdicts."""
    path = autograded_course / "autograded" / "alice" / ASSIGNMENT / "derivatives.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    first_example = next(c for c in cells if c.cell_type == "code" and "y.backward()" in c.source)
    assert [o.get("text") for o in first_example.outputs] == ["tensor(4.)\n"]
    printed = [c for c in cells if c.cell_type == "code" and "print(" in c.source]
    untested = [c for c in printed if "grade_id" not in c.metadata.get("nbgrader", {})]
    assert untested and all(c.outputs for c in untested), [c.source[:60] for c in untested]
    test_cell = next(c for c in cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert test_cell.outputs[0].text.startswith("Passed: "), test_cell.outputs


def test_autograded_notebooks_show_the_figures_cells_drew(autograded_course: Path) -> None:
    """A cell that shows a figure holds it as an image (PNG, as JupyterLab renders it), in
    order with what it printed; no other cell holds an image."""
    for student in EXPECTED:
        for name in NOTEBOOKS:
            path = autograded_course / "autograded" / student / ASSIGNMENT / f"{name}.ipynb"
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type != "code":
                    continue
                pngs = [o for o in cell.outputs if "image/png" in o.get("data", {})]
                shows = "plt.show()" in cell.source and "def " not in cell.source
                assert len(pngs) == shows, f"{student}/{name}: {cell.source[:80]!r}"
                for png in pngs:
                    assert png.output_type == "display_data"
                    assert png.data["text/plain"].startswith("<Figure size")
                    assert png.data["image/png"].startswith("iVBORw0KGgo")  # PNG's signature
