"""docs/adding-a-question.md, followed step by step in a temporary copy of the course.

The code and commands come from the guide's own blocks (marked `<!-- guide: NAME -->`), so the
guide cannot drift from what works: add `second_derivative_at` (a solution cell and a test cell
in derivatives.ipynb, a Problem in the copy's registry), sync, validate, release, then grade a
right and a wrong answer through both front ends.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from authoring_support import (
    ASSIGNMENT,
    ROOT,
    append_to_module,
    command,
    copy_course,
    gradebook_scores,
    grades_csv,
    source_cell,
    submit,
)

pytestmark = pytest.mark.slow
GUIDE = ROOT / "docs" / "adding-a-question.md"
BLOCK = re.compile(r"<!-- guide: ([a-z-]+) -->\n( *)```[a-z]*\n(.*?)\n\2```", re.S)
QUESTION, TEST = "second_derivative_at", "second_derivative_at_test"


def guide_blocks() -> dict[str, str]:
    """name -> the text of each marked code block, its list indentation removed."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = {}
    for name, indent, body in BLOCK.findall(text):
        blocks[name] = "\n".join(line.removeprefix(indent) for line in body.splitlines())
    return blocks


def _graded_cell(cell_id: str, source: str, nbgrader: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(
        source, metadata={"nbgrader": nbgrader | {"schema_version": 3}}
    )
    cell.id = cell_id
    return cell


def add_question_cells(course: Path, blocks: dict[str, str]) -> None:
    """Step 1: the answer and test cells, after the derivative_at question, as nbgrader's
    "Create Assignment" panel makes them (the points are left wrong: the sync sets them)."""
    path = course / "source" / ASSIGNMENT / "derivatives.ipynb"
    notebook = nbformat.read(path, as_version=4)
    after = next(
        i
        for i, cell in enumerate(notebook.cells)
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "derivative_at_test"
    )
    solution = {"grade": False, "grade_id": QUESTION, "locked": False, "solution": True}
    test = {"grade": True, "grade_id": TEST, "locked": True, "points": 3, "solution": False}
    notebook.cells[after + 1 : after + 1] = [
        nbformat.v4.new_markdown_cell("Write `second_derivative_at(f, x0)`: f''(x0)."),
        _graded_cell("second-derivative-at", blocks["solution-cell"], solution),
        _graded_cell("second-derivative-at-test", blocks["test-cell"], test),
    ]
    notebook.cells[after + 1].id = "second-derivative-at-question"
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def blocks() -> dict[str, str]:
    found = guide_blocks()
    wanted = {"solution-cell", "test-cell", "registry", "commands", "hidden-region", "grade"}
    assert wanted | {"right-answer", "wrong-answer"} <= set(found), sorted(found)
    return found


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory, blocks: dict[str, str]) -> Path:
    """Steps 1 to 3 in a copy of the course; returns it with the new question released."""
    course = copy_course(tmp_path_factory.mktemp("guide") / "course")
    add_question_cells(course, blocks)
    append_to_module(course, "problems/derivatives", blocks["registry"])
    for line in blocks["commands"].splitlines():
        output = command(course, line)
        if line.startswith("nbgrader validate"):
            assert "Success! Your notebook passes all the tests." in output.stdout, output.stdout
    return course


def test_the_sync_writes_the_guides_hidden_region_and_points(course: Path, blocks) -> None:
    cell = source_cell(course, "derivatives", TEST)
    assert cell.metadata.nbgrader["points"] == 1
    assert cell.source == blocks["test-cell"] + "\n" + blocks["hidden-region"]


def test_the_release_has_the_stub_and_the_visible_test_only(course: Path, blocks) -> None:
    release = nbformat.read(course / "release" / ASSIGNMENT / "derivatives.ipynb", as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in release.cells}
    assert "raise NotImplementedError(" in cells[QUESTION] and "autograd" not in cells[QUESTION]
    assert cells[TEST] == blocks["test-cell"]


@pytest.fixture(scope="module")
def graded(course: Path, blocks: dict[str, str]) -> Path:
    """Step 4: a right and a wrong answer, graded by both front ends of the guide."""
    submit(course, "right", {"derivatives": {QUESTION: blocks["right-answer"]}})
    submit(course, "wrong", {"derivatives": {QUESTION: blocks["wrong-answer"]}})
    for line in blocks["grade"].splitlines():
        command(course, line)
    return course


def test_the_cli_grades_the_new_question(graded: Path) -> None:
    rows = grades_csv(graded / "graded")
    assert float(rows["right"][QUESTION]) == 1 and float(rows["wrong"][QUESTION]) == 0
    assert float(rows["right"]["total"]) == 1  # every other answer is still the stub
    assert rows["right"]["max_total"] == rows["wrong"]["max_total"]
    feedback = (graded / "graded" / "wrong" / "feedback.html").read_text(encoding="utf-8")
    assert "It returns the first derivative" in feedback


def test_nbgrader_autograde_grades_the_new_question(graded: Path) -> None:
    assert gradebook_scores(graded, "right")[TEST] == (1, 1)
    assert gradebook_scores(graded, "wrong")[TEST] == (0, 1)
