"""The README's points table ("The student contract and the points") is the registry's."""

from __future__ import annotations

import re

from authoring_support import ROOT

from autograders import problems
from autograders.problems.manual import MANUAL

SECTION = "## The student contract and the points"
TEST_CELL = re.compile(r"`([A-Za-z0-9_]+)` \((\d+(?:\.\d+)?)\)")
BY_HAND = re.compile(r"graded by hand \((\d+(?:\.\d+)?)\)")
TOTALS = re.compile(r"(\d+) points: (\d+) autograded, (\d+) graded by hand")


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end > 0 else None]


def _rows() -> list[list[str]]:
    """The table's body rows, split into cells (header and separator left out)."""
    rows = [line.strip().strip("|").split(" | ") for line in _section().splitlines()]
    body = [row for row in rows if len(row) == 4 and not row[0].startswith("-")]
    return [[cell.strip() for cell in row] for row in body[1:]]


def readme_points() -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """test cell id -> points, manual question id -> points, question id -> notebook.

    A test cell written `_test_values` stands for `<question id>_test_values`."""
    tests, manual, notebooks = {}, {}, {}
    for notebook, question, _writes, cells in _rows():
        question = question.strip("`")
        notebooks[question] = notebook
        for test_id, points in TEST_CELL.findall(cells):
            full = f"{question}{test_id}" if test_id.startswith("_test") else test_id
            tests[full] = float(points)
        for points in BY_HAND.findall(cells):
            manual[question] = float(points)
    return tests, manual, notebooks


def test_the_table_lists_every_check_with_the_registrys_points() -> None:
    tests, _, _ = readme_points()
    assert tests == {test_id: float(check.points) for test_id, check in problems.CHECKS.items()}


def test_the_table_lists_the_questions_graded_by_hand() -> None:
    _, manual, _ = readme_points()
    assert manual == {question.question_id: float(question.points) for question in MANUAL}


def test_the_table_puts_each_question_in_its_notebook() -> None:
    _, _, notebooks = readme_points()
    want = {p.question_id: p.notebook for p in problems.PROBLEMS}
    want |= {question.question_id: question.notebook for question in MANUAL}
    assert notebooks == want


def test_the_totals_are_the_registrys() -> None:
    autograded = sum(p.points for p in problems.PROBLEMS)
    by_hand = sum(question.points for question in MANUAL)
    found = TOTALS.findall(_section())
    assert found == [(f"{autograded + by_hand:g}", f"{autograded:g}", f"{by_hand:g}")]
