"""`autograders export` writes Canvas's and Moodle's grade-import CSV; with `collect` and
`grade` it closes the round trip from a bulk download to the LMS's gradebook."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lms import lms_downloads as downloads

EXPECTED = json.loads((downloads.ROOT / "samples" / "expected_scores.json").read_text())
GRADES_HEADER = "student_id,derivative_at,total,max_total,status,seeds\n"


def autograders(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograders", *args],
        cwd=downloads.ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def export(lms: str, grades: Path, roster: Path, out: Path, *extra: str):
    return autograders(
        "export", str(grades), "--lms", lms, "--roster", str(roster), "--out", str(out), *extra
    )


def grades_csv(path: Path) -> Path:
    path.write_text(
        GRADES_HEADER
        + "alice,2,21,21,graded,derivatives=1\n"
        + "bob,0,9,21,graded,derivatives=2\n"
        + "carol,,0,21,grader error: JudgeError: boom,\n"
        + "zed,2,3.5,21,graded,derivatives=3\n"
    )
    return path


def test_canvas_import_has_the_gradebook_columns_and_no_false_zeros(tmp_path: Path) -> None:
    roster = downloads.canvas_roster(tmp_path / "gradebook.csv")
    done = export("canvas", grades_csv(tmp_path / "grades.csv"), roster, tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    rows = downloads.read_csv(tmp_path / "import.csv")
    assert list(rows[0]) == [*downloads.CANVAS_IDENTITY_COLUMNS, downloads.CANVAS_ASSIGNMENT]
    assert rows[0]["Student"] == "    Points Possible" and rows[0]["Derivatives (5555)"] == "21"
    grades = {row["SIS Login ID"]: (row["ID"], row["Derivatives (5555)"]) for row in rows[1:]}
    assert grades == {"alice": ("101", "21"), "bob": ("102", "9"), "carol": ("103", ""),
                      "dan": ("104", "")}  # fmt: skip
    assert "left without a grade: carol, dan" in done.stderr
    assert "graded but not in the roster (not exported): zed" in done.stderr


def test_moodle_import_is_the_grading_worksheet(tmp_path: Path) -> None:
    roster = downloads.moodle_roster(tmp_path / "worksheet.csv")
    grades = grades_csv(tmp_path / "grades.csv")
    text = (
        grades.read_text()
        .replace("alice,", "alice@example.edu,")
        .replace("bob,", "bob@example.edu,")
    )
    grades.write_text(text)
    done = export("moodle", grades, roster, tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    rows = downloads.read_csv(tmp_path / "import.csv")
    assert list(rows[0]) == [
        "Identifier",
        "Full name",
        "Email address",
        "Grade",
        "Maximum Grade",
        "Last modified (grade)",  # without it Moodle's importer refuses the file
    ]
    assert [(r["Identifier"], r["Grade"], r["Maximum Grade"]) for r in rows] == [
        ("Participant 7001", "21", "22.00"),
        ("Participant 7002", "9", "22.00"),
        ("Participant 7003", "", "22.00"),
        ("Participant 7004", "", "22.00"),
    ]
    assert {row["Last modified (grade)"] for row in rows} == {"-"}  # the worksheet's own


def test_ids_that_grades_csv_neutralised_are_matched(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("lms_id,student_id\n101,-bob\n102,@eve\n")
    grades = tmp_path / "grades.csv"
    grades.write_text(GRADES_HEADER + "'-bob,2,7,21,graded,\n'@eve,2,8,21,graded,\n")
    done = export("canvas", grades, roster, tmp_path / "i.csv", "--assignment", "HW (1)")
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    assert [row["HW (1)"] for row in downloads.read_csv(tmp_path / "i.csv")[1:]] == ["7", "8"]


def test_moodle_identifiers_in_another_language_are_kept(tmp_path: Path) -> None:
    roster = tmp_path / "worksheet.csv"
    roster.write_text(
        "Identifier,Full name,Email address,Grade,Last modified (grade)\n"
        'Teilnehmer/in 7001,Alice Adams,alice,,"Montag, 1. Juni 2026, 10:00"\n'
    )
    grades = grades_csv(tmp_path / "grades.csv")
    done = export("moodle", grades, roster, tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    (row,) = downloads.read_csv(tmp_path / "import.csv")
    assert (row["Identifier"], row["Grade"]) == ("Teilnehmer/in 7001", "21")
    assert row["Last modified (grade)"] == "Montag, 1. Juni 2026, 10:00"


def test_canvas_needs_to_know_the_assignment_column(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("lms_id,student_id\n101,alice\n")
    grades = grades_csv(tmp_path / "grades.csv")
    refused = export("canvas", grades, roster, tmp_path / "import.csv")
    assert refused.returncode == 2 and "--assignment" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = export("canvas", grades, roster, tmp_path / "import.csv", "--assignment", "HW 2 (77)")
    assert done.returncode == 0, done.stderr
    assert downloads.read_csv(tmp_path / "import.csv")[1]["HW 2 (77)"] == "21"


@pytest.mark.slow
@pytest.mark.parametrize("lms", ["canvas", "moodle"])
def test_round_trip_download_collect_grade_export(tmp_path: Path, lms: str) -> None:
    """A bulk download in, the LMS's import file out, with each sample student's points."""
    if lms == "canvas":
        download = downloads.canvas_download(tmp_path / "download.zip")
        roster = downloads.canvas_roster(tmp_path / "roster.csv")
    else:
        download = downloads.moodle_download(tmp_path / "download.zip")
        roster = downloads.moodle_roster(tmp_path / "roster.csv")
    submitted, graded = tmp_path / "submitted", tmp_path / "graded"
    collected = autograders("collect", str(download), "--lms", lms, "--roster", str(roster),
                            "--out", str(submitted))  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    done = autograders("grade", str(submitted), "--out", str(graded), "--seed", "11")
    assert done.returncode == 0, done.stderr
    exported = export(lms, graded / "grades.csv", roster, tmp_path / "import.csv")
    assert exported.returncode == 0, exported.stderr
    rows = downloads.read_csv(tmp_path / "import.csv")
    if lms == "canvas":
        got = {row["SIS Login ID"]: row[downloads.CANVAS_ASSIGNMENT] for row in rows[1:]}
    else:
        got = {row["Email address"].split("@")[0]: row["Grade"] for row in rows}
    expected = {s: sum(sum(nb.values()) for nb in EXPECTED[s].values()) for s in EXPECTED}
    assert {student: float(points) for student, points in got.items()} == expected
