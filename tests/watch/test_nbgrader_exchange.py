"""The round trip through nbgrader's exchange with `watch --nbgrader-course`, for real:
a student fetches and submits, the instructor collects, the watcher grades and hands over to
nbgrader, and the student's `nbgrader fetch_feedback` gets the feedback; the gradebook holds
the total the corpus expects."""

from __future__ import annotations

import getpass
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.assignment.assignment_support import tool_env
from tests.watch.classes import expected_total, make_class

pytestmark = pytest.mark.slow  # nbgrader's commands and two sandboxes: a minute or more

REPO = Path(__file__).resolve().parents[2]
COURSE_ID = "pytorch-autograd"  # nbgrader_config.py's course id
VARIANT = "partials_swapped"


def run(*command: str, cwd: Path) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def nbgrader(*args: str, cwd: Path, exchange: Path) -> str:
    return run(sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}", cwd=cwd)


def test_a_submission_comes_back_as_feedback_and_a_gradebook_entry(tmp_path: Path) -> None:
    course, student_home, exchange = tmp_path / "course", tmp_path / "home", tmp_path / "exchange"
    for folder in (course, student_home, exchange):
        folder.mkdir()
    exchange.chmod(0o777)
    shutil.copy(REPO / "nbgrader_config.py", course)
    with (course / "nbgrader_config.py").open("a") as config:  # as a course sets its exchange
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    shutil.copytree(REPO / "source", course / "source")
    nbgrader("generate_assignment", "derivatives", cwd=course, exchange=exchange)
    nbgrader("release_assignment", "derivatives", cwd=course, exchange=exchange)

    student = getpass.getuser()  # nbgrader's student id is the submitting user's name
    on_student_side = ("--course", COURSE_ID)
    nbgrader("fetch_assignment", "derivatives", *on_student_side, cwd=student_home,
             exchange=exchange)  # fmt: skip
    answers = make_class(tmp_path / "answers", {student: VARIANT}, tmp_path / "cache")
    for notebook in (answers / student / "derivatives").glob("*.ipynb"):
        shutil.copy(notebook, student_home / "derivatives" / notebook.name)
    nbgrader("submit", "derivatives", *on_student_side, cwd=student_home, exchange=exchange)
    nbgrader("collect", "derivatives", cwd=course, exchange=exchange)

    log = run(
        sys.executable, "-m", "autograders", "watch", str(course / "submitted"),
        "--out", str(tmp_path / "out"), "--seed", "7", "--workers", "1", "--once",
        "--nbgrader-course", str(course), cwd=REPO,
    )  # fmt: skip
    assert f"nbgrader has {student}'s grades and feedback" in log

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        score = gradebook.find_submission("derivatives", student).score
    assert score == expected_total(VARIANT)
    nbgrader("fetch_feedback", "derivatives", *on_student_side, cwd=student_home,
             exchange=exchange)  # fmt: skip
    fetched = sorted(path.name for path in (student_home / "derivatives" / "feedback").rglob("*"))
    assert {"derivatives.html", "partial_derivatives.html", "custom_backward.html"} <= set(fetched)
    assert (tmp_path / "out" / student / "feedback.html").is_file()
