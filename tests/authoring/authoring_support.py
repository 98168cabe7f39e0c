"""A temporary copy of the course whose own registry grades: for the authoring tests.

The copy holds `source/`, `nbgrader_config.py` and the `autograders` package. Every command
runs in the copy with `PYTHONPATH` pointing at it, so the copy's registry is the one imported by
the sync command, the CLI, nbgrader (its config also puts the course first on `sys.path`), the
Jupyter kernels and the sandbox (whose warm process imports `autograders` from the folder the
grading process imported it from, see `autograders/sandbox/host/pool.py`).

Named uniquely, not `helpers`, because the test folders have no __init__.py and share sys.path.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograders.authoring.fill import fill_answers

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "derivatives"
NOTEBOOKS = ("derivatives", "partial_derivatives", "custom_backward")
SEED = "20261129"  # hidden inputs of in-kernel checks, fixed so a failure can be repeated


def copy_course(dest: Path) -> Path:
    """dest/ with the course's source notebooks, nbgrader config and grader package."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    shutil.copytree(ROOT / "source", dest / "source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "autograders", dest / "autograders", ignore=ignore)
    return dest


def course_env(course: Path) -> dict[str, str]:
    """This interpreter's bin first on PATH (nbgrader runs `alembic`, kernels run `python`),
    and the copy's package first on the import path."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = str(course)
    env["AUTOGRADERS_SEED"] = SEED
    return env


def run(course: Path, *args: str, expect: int | None = 0) -> subprocess.CompletedProcess:
    """`python ARGS` in the copy; fails the test unless the exit code is `expect` (if given)."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=course,
        env=course_env(course),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if expect is not None:
        output = (done.stdout + done.stderr)[-4000:]
        assert done.returncode == expect, (
            f"python {' '.join(args)} exited {done.returncode}:\n{output}"
        )
    return done


def command(course: Path, line: str) -> subprocess.CompletedProcess:
    """One shell line of the docs (`python -m ...` or `nbgrader ...`), run in the copy."""
    program, *args = line.split()
    prefix = {"python": [], "nbgrader": ["-m", "nbgrader"]}[program]
    return run(course, *prefix, *args)


def append_to_module(course: Path, module: str, code: str) -> None:
    """Append `code` to the copy's `autograders/<module>.py` (a module path like
    `problems/derivatives`), as an instructor would add it at the end of the file."""
    path = course / "autograders" / f"{module}.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code, encoding="utf-8")


def submit(course: Path, student: str, answers: dict[str, dict[str, str]]) -> None:
    """submitted/<student>/derivatives/*.ipynb: the copy's release, with the given answers
    (notebook -> question id -> the answer cell's source)."""
    release = course / "release" / ASSIGNMENT
    for name in NOTEBOOKS:
        dest = course / "submitted" / student / ASSIGNMENT / f"{name}.ipynb"
        fill_answers(release / f"{name}.ipynb", answers.get(name, {}), dest)


def grades_csv(out: Path) -> dict[str, dict[str, str]]:
    """student id -> the row of `python -m autograders grade`'s grades.csv."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def gradebook_scores(course: Path, student: str) -> dict[str, tuple[float | None, float]]:
    """grade cell id -> (auto score, max score) of the student's autograded notebooks."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            grade.name: (grade.auto_score, grade.max_score)
            for name in NOTEBOOKS
            for grade in gradebook.find_submission_notebook(name, ASSIGNMENT, student).grades
        }


def source_cell(course: Path, notebook: str, grade_id: str) -> nbformat.NotebookNode:
    path = course / "source" / ASSIGNMENT / f"{notebook}.ipynb"
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"{notebook}.ipynb has no cell {grade_id!r}")
