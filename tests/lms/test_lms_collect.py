"""`autograders collect` on downloads built like Canvas's and Moodle's: nbgrader's layout, the
newest version wins, and every file that is not collected is listed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograders.lms.names import parse_member
from tests.lms import lms_downloads as downloads

KNOWN = downloads.NOTEBOOKS


def collect(lms: str, download: Path, roster: Path, out: Path, *extra: str):
    command = [sys.executable, "-m", "autograders", "collect", str(download), "--lms", lms]
    return subprocess.run(
        [*command, "--roster", str(roster), "--out", str(out), *extra],
        cwd=downloads.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def layout_of(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*.ipynb"))}


def sample_layout() -> dict[str, bytes]:
    return {
        f"{student}/derivatives/{name}": downloads.notebook(student, name)
        for student in downloads.STUDENTS
        for name in KNOWN
    }


def test_canvas_download_becomes_nbgrader_layout_newest_wins(tmp_path: Path) -> None:
    download = downloads.canvas_download(tmp_path / "submissions.zip")
    roster = downloads.canvas_roster(tmp_path / "gradebook.csv")
    done = collect("canvas", download, roster, tmp_path / "submitted")
    assert done.returncode == 0, done.stderr
    assert layout_of(tmp_path / "submitted") == sample_layout()  # bob's own, not the release
    report = (tmp_path / "submitted" / "collect-report.txt").read_text()
    assert report == done.stderr.split("report: ")[0]
    assert "files that match no student in the roster (not collected): 2" in report
    assert "'gonegary_999_9999_derivatives.ipynb' (no student with this id" in report
    assert "'instructions.txt' (not a canvas name)" in report
    assert "older versions superseded by a newer upload (not collected): 1" in report
    assert "'brownbob_102_9004_derivatives.ipynb'" in report
    assert "students with a late submission: 1\n  carol" in report
    assert "__MACOSX" not in report


@pytest.mark.parametrize("in_folders", [True, False], ids=["folders", "flat"])
def test_moodle_download_becomes_nbgrader_layout(tmp_path: Path, in_folders: bool) -> None:
    download = downloads.moodle_download(tmp_path / "all.zip", in_folders)
    roster = downloads.moodle_roster(tmp_path / "worksheet.csv")
    out = tmp_path / "submitted"
    done = collect("moodle", download, roster, out, "--id-column", "Email address")
    assert done.returncode == 0, done.stderr
    expected = {
        path.replace(f"{student}/", f"{student}@example.edu/", 1): data
        for student in downloads.STUDENTS
        for path, data in sample_layout().items()
        if path.startswith(f"{student}/")
    }
    assert layout_of(out) == expected
    report = (out / "collect-report.txt").read_text()
    assert "Gone Gary_7999_assignsubmission_file_" in report
    assert "partial_derivatives.ipynb" in report.split("superseded")[1]
    assert "alice@example.edu: 'onlinetext.html'" in report  # collected, said not a notebook


def test_students_without_a_submission_are_listed(tmp_path: Path) -> None:
    roster = downloads.canvas_roster(tmp_path / "gradebook.csv")
    with roster.open("a", encoding="utf-8") as file:
        file.write('"Evans, Eve",105,S105,eve,Section 1,\n')
    done = collect(
        "canvas", downloads.canvas_download(tmp_path / "d.zip"), roster, tmp_path / "out"
    )
    assert "students in the roster without a submission: 1\n  eve" in done.stderr


@pytest.mark.parametrize(
    "roster_text, message",
    [
        ("name,email\nx,y\n", "the roster has no column 'ID', 'SIS Login ID'"),
        ("", "found no header"),
    ],
    ids=["wrong columns", "empty"],
)
def test_an_unusable_roster_exits_2(tmp_path: Path, roster_text: str, message: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text)
    done = collect("canvas", downloads.canvas_download(tmp_path / "d.zip"), roster, tmp_path / "o")
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_a_download_that_is_not_a_zip_exits_2(tmp_path: Path) -> None:
    roster = downloads.canvas_roster(tmp_path / "gradebook.csv")
    (tmp_path / "d.zip").write_text("not a zip")
    done = collect("canvas", tmp_path / "d.zip", roster, tmp_path / "o")
    assert done.returncode == 2 and "cannot read the download" in done.stderr


def test_member_paths_never_become_paths_on_disk(tmp_path: Path) -> None:
    download = tmp_path / "evil.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("adamsalice_101_1_../../escape.ipynb", b"x")
        archive.writestr("Alice Adams_7001_assignsubmission_file_/../../escape.ipynb", b"x")
    roster = tmp_path / "roster.csv"
    roster.write_text("lms_id,student_id\n101,alice\n7001,alice\n")
    done_canvas = collect("canvas", download, roster, tmp_path / "out")
    done_moodle = collect("moodle", download, roster, tmp_path / "out")
    assert done_canvas.returncode == done_moodle.returncode == 0, done_moodle.stderr
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {
        Path("evil.zip"),
        Path("roster.csv"),
        Path("out/collect-report.txt"),
        Path("out/alice/derivatives/escape.ipynb"),  # Moodle's folder member, by base name
    }
    assert "'adamsalice_101_1_../../escape.ipynb' (not a canvas name)" in done_canvas.stderr


@pytest.mark.parametrize(
    "member, lms_id, name, order, late",
    [
        ("smithjane_12_987654_derivatives.ipynb", "12", "derivatives.ipynb", (987654, 0), False),
        ("smithjane_LATE_12_9876_derivatives-2.ipynb", "12", "derivatives.ipynb", (9876, 2), True),
        ("smithjane_12_9_custom_backward (1).ipynb", "12", "custom_backward.ipynb", (9, 1), False),
        ("smithjane_12_9_my-2.py", "12", "my-2.py", (9, 0), False),
    ],
)  # fmt: skip
def test_canvas_names(member, lms_id, name, order, late) -> None:
    found = parse_member("canvas", member, KNOWN)
    assert (found.lms_id, found.file_name, found.order, found.late) == (lms_id, name, order, late)


def test_names_that_follow_no_convention_are_not_guessed() -> None:
    assert parse_member("canvas", "derivatives.ipynb", KNOWN) is None
    assert parse_member("canvas", "folder/smithjane_1_2_x.ipynb", KNOWN) is None
    assert parse_member("moodle", "Jane Smith_derivatives.ipynb", KNOWN) is None
    found = parse_member(
        "moodle", "Jane Smith_42_assignsubmission_file_/sub/derivatives.ipynb", KNOWN
    )
    assert (found.lms_id, found.file_name) == ("42", "derivatives.ipynb")
