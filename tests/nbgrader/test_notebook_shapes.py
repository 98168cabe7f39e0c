"""Odd notebook shapes through both front ends: one verdict per shape.

A class of honest submissions, each bent into one shape (tests/corpus/shapes.py, plus the
tampered entries about cell layout), is graded by real `nbgrader autograde` with the committed
nbgrader_config.py in a temporary copy of the course, and by `python -m autograders grade` on
the same folder and seed. Both must give every submission its expected scores question by
question, the same "not gradable" for the one notebook nbformat cannot read, and nbgrader
must neither drop a student nor keep a grade cell the instructor never wrote. And for every
notebook of the whole corpus, the committed config's sanitize steps (real nbgrader, no
sandbox) leave exactly the cells the CLI runs, in the same order.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograders import problems
from autograders.submission import NotGradable, cells_to_run, load_notebook
from tests.assignment.assignment_support import tool_env
from tests.corpus import CORPUS
from tests.corpus.build import build_class
from tests.corpus.spec import Submission
from tests.corpus.tampered import SHAPES, TAMPERED
from tests.nbgrader.test_corpus_through_nbgrader import SEED, TIMEOUT, cli_scores, gradebook_scores

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = {  # tampered entries about where cells are and what they claim to be
    "test_cells_turned_markdown",
    "duplicated_answer_cell_wrong_copy_last",
    "cells_reordered",
    "fake_grade_cells",
    "nbgrader_metadata_stripped",
}
CLASS: list[Submission] = [*SHAPES, *(s for s in TAMPERED if s.name in LAYOUT)]


@dataclass
class BothRuns:
    returncode: int
    log: str
    nbgrader: dict[str, dict[str, float]]  # student -> question -> points, from gradebook.db
    grade_cells: dict[str, set[str]]
    cli: dict[str, dict[str, float]]
    statuses: dict[str, str]


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course with the assignment generated and the class submitted."""
    course = tmp_path_factory.mktemp("shapes")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source")
    made = _nbgrader(course, "generate_assignment", problems.ASSIGNMENT, "--log-level=WARN")
    assert made.returncode == 0, made.stderr[-3000:]
    build_class(course / "submitted", CLASS)
    return course


@pytest.fixture(scope="module")
def both(course: Path) -> BothRuns:
    run = _nbgrader(
        course,
        "autograde",
        problems.ASSIGNMENT,
        f"--IsolatedExecute.timeout={TIMEOUT}",
        f"--IsolatedExecute.seed={SEED}",
    )
    scores, cells = gradebook_scores(course)
    out = course / "cli-out"
    cli = cli_scores(course / "submitted", out)
    statuses = _statuses(out / "grades.csv")
    return BothRuns(run.returncode, run.stdout + run.stderr, scores, cells, cli, statuses)


def _statuses(grades_csv: Path) -> dict[str, str]:
    with open(grades_csv, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row["status"] for row in csv.DictReader(handle)}


def test_nbgrader_grades_every_shaped_submission(both: BothRuns) -> None:
    assert both.returncode == 0, both.log[-4000:]
    assert "error processing assignment" not in both.log, both.log[-4000:]
    assert set(both.nbgrader) == {s.name for s in CLASS}


@pytest.mark.parametrize("submission", CLASS, ids=lambda s: s.name)
def test_both_front_ends_give_the_expected_scores(both: BothRuns, submission: Submission) -> None:
    want = submission.expected_scores()
    got = {"nbgrader": both.nbgrader.get(submission.name), "cli": both.cli.get(submission.name)}
    assert got["nbgrader"] == got["cli"], f"the front ends differ: {got}"
    wrong = {q: (points, got["cli"][q]) for q, points in want.items() if got["cli"][q] != points}
    assert not wrong, f"question: (expected, got) {wrong}"


def test_the_gradebook_holds_only_the_instructors_grade_cells(both: BothRuns) -> None:
    allowed = set(problems.CHECKS) | {"why_detach"}
    extra = {name: sorted(cells - allowed) for name, cells in both.grade_cells.items()}
    assert not {name: cells for name, cells in extra.items() if cells}


def test_one_not_gradable_notebook_for_both(both: BothRuns) -> None:
    assert "partial_derivatives: unknown notebook format" in both.statuses["shape_nbformat_5"]
    assert "partial_derivatives.ipynb (unknown notebook format (nbformat 5))" in both.log
    graded = [name for name, status in both.statuses.items() if name != "shape_nbformat_5"]
    assert all(both.statuses[name] == "graded" for name in graded), both.statuses


def test_repairs_are_logged_per_student_and_notebook(both: BothRuns) -> None:
    assert "shape_fake_test_cell_with_sabotage/derivatives: cell" in both.log
    assert "'derivatives_bonus'" in both.log
    assert "shape_cell_ids_repeated/custom_backward: " in both.log
    assert "shape_unknown_cell_types/partial_derivatives: cell" in both.log


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_class(tmp_path_factory.mktemp("corpus"), CORPUS)


@pytest.fixture(scope="module")
def sanitize_steps(course: Path) -> list:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return list(config.Autograde.sanitize_preprocessors)


@pytest.mark.parametrize("submission", CORPUS, ids=lambda s: s.name)
def test_nbgrader_sanitizing_leaves_the_cells_the_cli_runs(
    course: Path, corpus: Path, sanitize_steps: list, submission: Submission
) -> None:
    """The committed config's sanitize steps, run for real on each notebook of the whole corpus
    as the exporter reads it, leave exactly the cells the CLI runs, in the same order."""
    folder = corpus / submission.name / problems.ASSIGNMENT
    for name in problems.NOTEBOOKS:
        try:
            document = load_notebook(folder / f"{name}.ipynb")
        except NotGradable:
            continue
        nb = nbformat.from_dict(json.loads(json.dumps(document)))
        resources = {
            "nbgrader": {
                "db_url": f"sqlite:///{course / 'gradebook.db'}",
                "notebook": name,
                "assignment": problems.ASSIGNMENT,
                "student": submission.name,
            }
        }
        for step in sanitize_steps:
            nb, resources = step().preprocess(nb, resources)
        cli = [cell["source"] for cell in cells_to_run(document["cells"]).cells]
        assert [cell["source"] for cell in cells_to_run(nb.cells).cells] == cli, name
