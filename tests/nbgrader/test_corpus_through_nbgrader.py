"""The corpus through `nbgrader autograde` with the committed nbgrader_config.py.

The same named submissions as tests/grader, graded by nbgrader's own command in a temporary
copy of the course, then compared three ways: with each submission's expected scores, with
`python -m autograders grade` on the same folder and seed (the two front ends agree on every
submission, hostile ones included), and with the state of the course, the gradebook, the home
folder and the process table before the run.
"""

from __future__ import annotations

import contextlib
import csv
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from nbgrader.api import Gradebook

from autograders import problems
from tests.assignment.assignment_support import tool_env
from tests.corpus import CORPUS
from tests.corpus.build import build_class
from tests.corpus.escapes import LISTEN_PORT
from tests.corpus.spec import POINTS, Submission
from tests.corpus.watch import Listener, course_digest, home_state, marked_processes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SEED, TIMEOUT = 7, 5
BY_NAME = {submission.name: submission for submission in CORPUS}


@dataclass
class NbgraderRun:
    course: Path
    returncode: int
    log: str
    scores: dict[str, dict[str, float]]  # student -> question -> points, from gradebook.db
    grade_cells: dict[str, set[str]]  # student -> the grade cells the gradebook holds
    cli_scores: dict[str, dict[str, float]]  # the same class through the CLI
    course_before: dict[str, str]
    course_after: dict[str, str]
    home_before: dict[str, list[str]]
    home_after: dict[str, list[str]]
    leftovers: list[str]
    connections: list | None


def gradebook_scores(course: Path) -> tuple[dict, dict]:
    scores: dict[str, dict[str, float]] = {}
    cells: dict[str, set[str]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            submission = gradebook.find_submission(problems.ASSIGNMENT, student.id)
            per_question = dict.fromkeys(POINTS, 0.0)
            cells[student.id] = set()
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cells[student.id].add(grade.name)
                    if grade.name in problems.QUESTION_OF:
                        per_question[problems.QUESTION_OF[grade.name]] += grade.score or 0.0
            scores[student.id] = per_question
    return scores, cells


def cli_scores(submitted: Path, out: Path) -> dict[str, dict[str, float]]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "autograders",
            "grade",
            str(submitted),
            "--out",
            str(out),
            "--seed",
            str(SEED),
            "--timeout",
            str(TIMEOUT),
        ],
        check=True,
        capture_output=True,
        timeout=900,
        env=tool_env(),
    )
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {
            row["student_id"]: {q: float(row[q]) for q in POINTS} for row in csv.DictReader(handle)
        }


@pytest.fixture(scope="session")
def nbgraded(tmp_path_factory: pytest.TempPathFactory) -> NbgraderRun:
    course = tmp_path_factory.mktemp("corpus")  # the detached processes aim at this name
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source")
    env = tool_env()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            problems.ASSIGNMENT,
            "--log-level=WARN",
        ],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    build_class(course / "submitted", CORPUS)
    before, home_before = course_digest(course), home_state(Path.home())
    listener = Listener(LISTEN_PORT)
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "nbgrader",
                "autograde",
                problems.ASSIGNMENT,
                f"--IsolatedExecute.timeout={TIMEOUT}",
                f"--IsolatedExecute.seed={SEED}",
            ],
            cwd=course,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        listener.close()
    leftovers = marked_processes()
    time.sleep(2.5)  # the detached processes would write about now
    after = course_digest(course)
    for process in leftovers:
        with contextlib.suppress(psutil.Error):
            process.kill()
    scores, cells = gradebook_scores(course)
    return NbgraderRun(
        course,
        run.returncode,
        run.stdout + run.stderr,
        scores,
        cells,
        cli_scores(course / "submitted", course / "cli-out"),
        before,
        after,
        home_before,
        home_state(Path.home()),
        [" ".join(p.info["cmdline"] or []) for p in leftovers],
        listener.connections if listener.bound else None,
    )


def test_nbgrader_finishes_the_class_without_errors(nbgraded: NbgraderRun) -> None:
    assert nbgraded.returncode == 0, nbgraded.log[-4000:]
    assert set(nbgraded.scores) == set(BY_NAME), "gradebook students differ from the corpus"


@pytest.mark.parametrize("submission", CORPUS, ids=lambda s: s.name)
def test_scores(nbgraded: NbgraderRun, submission: Submission) -> None:
    """nbgrader's gradebook holds what the corpus expects, question by question."""
    got = nbgraded.scores.get(submission.name)
    assert got is not None, f"no submission for {submission.name} in the gradebook"
    wrong = {
        q: (want, got[q]) for q, want in submission.expected_scores().items() if got[q] != want
    }
    assert not wrong, f"{submission.name}: question: (expected, got) {wrong}"


def test_both_front_ends_agree_on_every_submission(nbgraded: NbgraderRun) -> None:
    differ = {
        name: (nbgraded.scores[name], nbgraded.cli_scores.get(name))
        for name in nbgraded.scores
        if nbgraded.scores[name] != nbgraded.cli_scores.get(name)
    }
    assert not differ, f"nbgrader and the CLI differ on {sorted(differ)}"


def test_the_gradebook_holds_only_the_instructors_grade_cells(nbgraded: NbgraderRun) -> None:
    allowed = set(problems.CHECKS) | {"why_detach"}
    extra = {
        name: sorted(cells - allowed)
        for name, cells in nbgraded.grade_cells.items()
        if cells - allowed
    }
    assert not extra, f"grade cells the instructor never wrote: {extra}"


def test_tampering_is_logged(nbgraded: NbgraderRun) -> None:
    assert (
        "test_cells_deleted/derivatives: test cell derivative_at_test was missing: restored"
        in nbgraded.log
    )
    assert "fake_grade_cells/derivatives" in nbgraded.log and "'extra_credit_test'" in nbgraded.log
    assert "Not gradable:" in nbgraded.log and "invalid_json/derivatives" in nbgraded.log


def test_course_files_home_and_processes_are_as_before(nbgraded: NbgraderRun) -> None:
    assert nbgraded.course_after == nbgraded.course_before, "course files changed"
    assert nbgraded.home_after == nbgraded.home_before, "the home folder changed"
    assert not nbgraded.leftovers, f"processes outlived grading: {nbgraded.leftovers}"
    assert not nbgraded.connections, f"a submission reached the network: {nbgraded.connections}"


def test_feedback_shows_failures_but_not_hidden_tests(nbgraded: NbgraderRun) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_feedback",
            problems.ASSIGNMENT,
            "--student=ignores_grad_output",
            "--log-level=WARN",
        ],
        cwd=nbgraded.course,
        env=tool_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    page = (
        nbgraded.course
        / "feedback"
        / "ignores_grad_output"
        / problems.ASSIGNMENT
        / "custom_backward.html"
    ).read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in page and "hidden tests are not shown" in page
    assert "grad_output" in page and "Likely mistake" in page
