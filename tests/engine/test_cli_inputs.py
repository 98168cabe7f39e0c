"""Wrong input to `autograders grade` exits 2 with a message that says what was expected and
what was found: no traceback, no reports, no warm process started (the sandbox makes its
scratch folder, `autograders-*`, in TMPDIR before anything else)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograders import layout, problems

ROOT = Path(__file__).resolve().parents[2]
ALICE = ROOT / "samples" / "submitted" / "alice" / "derivatives"


def grade(submitted: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograders",
            "grade",
            str(submitted),
            "--out",
            str(tmp_path / "out"),
            "--seed",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert list(scratch.iterdir()) == [], "the sandbox started"
    assert not (tmp_path / "out").exists(), "reports were written"
    return done


def notebooks_into(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for notebook in ALICE.glob("*.ipynb"):
        shutil.copy(notebook, folder / notebook.name)
    return folder


def submitted_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "submitted"
    folder.mkdir()
    return folder


def empty(tmp_path: Path) -> Path:
    return submitted_folder(tmp_path)


def flat_notebooks(tmp_path: Path) -> Path:  # Gradescope's layout: one level too shallow
    return notebooks_into(tmp_path / "submission")


def one_level_too_deep(tmp_path: Path) -> Path:  # the course folder instead of submitted/
    notebooks_into(tmp_path / "course" / "submitted" / "alice" / "derivatives")
    return tmp_path / "course"


def notebooks_in_student_folders(tmp_path: Path) -> Path:
    notebooks_into(submitted_folder(tmp_path) / "alice")
    return tmp_path / "submitted"


def unknown_assignment(tmp_path: Path) -> Path:
    notebooks_into(submitted_folder(tmp_path) / "alice" / "homework1")
    return tmp_path / "submitted"


def no_notebooks(tmp_path: Path) -> Path:
    for student in ("alice", "bob"):
        folder = (
            submitted_folder(tmp_path) / student / "derivatives"
            if student == "alice"
            else tmp_path / "submitted" / student
        )
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "answers.pdf").write_bytes(b"%PDF-1.4")
    return tmp_path / "submitted"


def only_files(tmp_path: Path) -> Path:
    (submitted_folder(tmp_path) / "grades.csv").write_text("student_id\n")
    return tmp_path / "submitted"


def invalid_student_ids(tmp_path: Path) -> Path:
    notebooks_into(submitted_folder(tmp_path) / "bad name\x1b[2J" / "derivatives")
    return tmp_path / "submitted"


def not_a_folder(tmp_path: Path) -> Path:
    path = tmp_path / "derivatives.ipynb"
    shutil.copy(ALICE / "derivatives.ipynb", path)
    return path


CASES = {
    empty: "an empty folder",
    flat_notebooks: "the notebooks directly in it",
    one_level_too_deep: "one level too deep",
    notebooks_in_student_folders: "the notebooks directly in student folders",
    unknown_assignment: "another assignment ('homework1')",
    no_notebooks: "without any of the notebooks",
    only_files: "no student folders, only files ('grades.csv')",
    invalid_student_ids: "not valid student ids",
    not_a_folder: "is not a folder",
}


@pytest.mark.parametrize("make, found", CASES.items(), ids=[make.__name__ for make in CASES])
def test_wrong_input_exits_2_saying_what_was_expected_and_found(make, found, tmp_path) -> None:
    done = grade(make(tmp_path), tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")
    assert "Expected SUBMITTED/<student_id>/derivatives/<notebook>.ipynb" in done.stderr
    assert found in done.stderr, done.stderr


def test_one_student_without_notebooks_among_others_is_graded_not_refused(tmp_path) -> None:
    submitted = submitted_folder(tmp_path)
    notebooks_into(submitted / "alice" / "derivatives")
    (submitted / "bob" / "derivatives").mkdir(parents=True)
    layout.check_submitted(submitted)  # no error: bob gets a row that says "missing"
    layout.check_submitted(submitted / "alice")  # one student's folder


def test_layout_names_are_the_registry_names() -> None:
    assert layout.ASSIGNMENT == problems.ASSIGNMENT
    assert layout.NOTEBOOKS == problems.NOTEBOOKS


@pytest.mark.parametrize(
    "where",
    ["", "derivatives", "my_work", "my_work/derivatives"],
    ids=["flat", "assignment folder", "wrapper", "wrapper and assignment folder"],
)
def test_find_notebook_folder_on_gradescope_layouts(where: str, tmp_path: Path) -> None:
    submission = tmp_path / "submission"
    notebooks_into(submission / where if where else submission)
    (submission / "__MACOSX").mkdir(exist_ok=True)
    assert layout.find_notebook_folder(submission) == (submission / where if where else submission)


def test_find_notebook_folder_finds_nothing_in_an_empty_or_ambiguous_submission(tmp_path) -> None:
    submission = tmp_path / "submission"
    submission.mkdir()
    assert layout.find_notebook_folder(submission) is None
    notebooks_into(submission / "one")
    notebooks_into(submission / "two")
    assert layout.find_notebook_folder(submission) is None


def test_the_console_script_is_the_same_command(tmp_path: Path) -> None:
    """`autograders` (pyproject's [project.scripts]) next to this interpreter, as the README's
    install puts it there, runs the same CLI as `python -m autograders`."""
    script = Path(sys.executable).with_name("autograders")
    done = subprocess.run(
        [str(script), "grade", str(empty(tmp_path)), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "found an empty folder" in done.stderr
