"""Change one check's points in the registry of a copy of the course, and everything follows:
the source notebooks (through the sync command), both front ends, the reports and the
gradebook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from authoring_support import (
    ASSIGNMENT,
    ROOT,
    append_to_module,
    command,
    copy_course,
    gradebook_scores,
    grades_csv,
    run,
    source_cell,
)

from autograders import problems

pytestmark = pytest.mark.slow
CHANGED, NEW_POINTS = "derivative_at_test", 5
# What an instructor's edit of the Check's points amounts to, written so that it applies to any
# layout of autograders/problems/derivatives.py.
RAISE_POINTS = f"""
import dataclasses as _dataclasses

PROBLEMS = tuple(
    _dataclasses.replace(
        problem,
        checks=tuple(
            _dataclasses.replace(check, points={NEW_POINTS}) if check.test_id == "{CHANGED}"
            else check
            for check in problem.checks
        ),
    )
    for problem in PROBLEMS
)
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course whose registry gives `derivative_at_test` 5 points; alice (right
    everywhere) and bob (wrong on derivative_at) submitted; graded both ways."""
    course = copy_course(tmp_path_factory.mktemp("points") / "course")
    append_to_module(course, "problems/derivatives", RAISE_POINTS)
    for student in ("alice", "bob"):
        shutil.copytree(ROOT / "samples" / "submitted" / student, course / "submitted" / student)
    return course


@pytest.fixture(scope="module")
def synced(course: Path) -> Path:
    stale = run(course, "-m", "autograders.authoring.sync_tests", "--check", expect=1)
    assert "out of date" in stale.stdout and "derivatives.ipynb" in stale.stdout
    command(course, "python -m autograders.authoring.sync_tests")
    command(course, f"nbgrader generate_assignment {ASSIGNMENT} --force")
    return course


def _old_total() -> float:
    return sum(p.points for p in problems.PROBLEMS)


def test_the_sync_command_writes_the_new_points_into_the_notebook(synced: Path) -> None:
    cell = source_cell(synced, "derivatives", CHANGED)
    assert cell.metadata.nbgrader["points"] == NEW_POINTS
    assert f"`{CHANGED}` ({NEW_POINTS} points)" in cell.source
    others = source_cell(synced, "derivatives", "derivative_on_grid_test_values")
    assert (
        others.metadata.nbgrader["points"]
        == problems.CHECKS[others.metadata.nbgrader["grade_id"]].points
    )


def test_the_cli_and_its_reports_follow(synced: Path) -> None:
    run(synced, "-m", "autograders", "grade", "submitted", "--out", "graded")
    rows = grades_csv(synced / "graded")
    total = _old_total() - problems.CHECKS[CHANGED].points + NEW_POINTS
    assert float(rows["alice"]["derivative_at"]) == NEW_POINTS
    assert float(rows["alice"]["total"]) == float(rows["alice"]["max_total"]) == total
    assert float(rows["bob"]["derivative_at"]) == 0 and float(rows["bob"]["max_total"]) == total
    results = json.loads((synced / "graded" / "alice" / "results.json").read_text())
    assert results["score"] == total
    (test,) = [t for t in results["tests"] if t["name"] == problems.CHECKS[CHANGED].title]
    assert test["max_score"] == test["score"] == NEW_POINTS


def test_nbgrader_autograde_and_its_gradebook_follow(synced: Path) -> None:
    command(synced, f"nbgrader autograde {ASSIGNMENT}")
    assert gradebook_scores(synced, "alice")[CHANGED] == (NEW_POINTS, NEW_POINTS)
    assert gradebook_scores(synced, "bob")[CHANGED] == (0, NEW_POINTS)
