"""Bulk downloads built as Canvas and Moodle build them, from the sample class, with the rosters
their own exports give (used by the tests of `collect` and `export`)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "submitted"
RELEASE = ROOT / "release" / "derivatives"
NOTEBOOKS = ("derivatives.ipynb", "partial_derivatives.ipynb", "custom_backward.ipynb")
# student id -> (Canvas sortable name, Canvas user id, Moodle full name, Moodle participant id)
STUDENTS = {
    "alice": ("adamsalice", "101", "Alice Adams", "7001"),
    "bob": ("brownbob", "102", "Bob Brown", "7002"),
    "carol": ("clarkcarol", "103", "Carol Clark", "7003"),
    "dan": ("dunndan", "104", "Dan Dunn", "7004"),
}
CANVAS_ASSIGNMENT = "Derivatives (5555)"
CANVAS_IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def notebook(student: str, name: str) -> bytes:
    return (SAMPLES / student / "derivatives" / name).read_bytes()


def canvas_download(path: Path) -> Path:
    """Carol is late; bob first handed in the release's derivatives.ipynb, then his own, which
    Canvas renamed derivatives-1.ipynb; a dropped student's file and a stray file ride along."""
    with zipfile.ZipFile(path, "w") as archive:
        attachment = 9000
        for student, (sortable, user, _, _) in STUDENTS.items():
            prefix = f"{sortable}{'_LATE' if student == 'carol' else ''}_{user}"
            for name in NOTEBOOKS:
                attachment += 1
                stored = name
                older = attachment
                if (
                    student == "bob" and name == "derivatives.ipynb"
                ):  # newer first: order is no clue
                    attachment, stored = attachment + 1, "derivatives-1.ipynb"
                archive.writestr(f"{prefix}_{attachment}_{stored}", notebook(student, name))
                if stored != name:
                    archive.writestr(f"{prefix}_{older}_{name}", (RELEASE / name).read_bytes())
        archive.writestr("gonegary_999_9999_derivatives.ipynb", notebook("alice", NOTEBOOKS[0]))
        archive.writestr("instructions.txt", b"not a submission")
        archive.writestr("__MACOSX/._adamsalice_101_9001_derivatives.ipynb", b"resource fork")
    return path


def canvas_roster(path: Path) -> Path:
    """Canvas's gradebook export: its header, its "Points Possible" row, one row a student."""
    header = [*CANVAS_IDENTITY_COLUMNS, CANVAS_ASSIGNMENT]
    rows = [["    Points Possible", "", "", "", "", "22.00"]]
    for student, (_, user, full_name, _) in STUDENTS.items():
        last_first = ", ".join(reversed(full_name.split()))
        rows.append([last_first, user, f"S{user}", student, "Section 1", ""])
    return write_csv(path, header, rows)


def moodle_download(path: Path, in_folders: bool = True) -> Path:
    """Moodle's "Download all submissions", with or without folders; bob also saved a second
    copy of his partial derivatives as "partial_derivatives (1).ipynb", the newer one."""
    separator = "/" if in_folders else ""
    with zipfile.ZipFile(path, "w") as archive:
        for student, (_, _, full_name, participant) in STUDENTS.items():
            prefix = f"{full_name}_{participant}_assignsubmission_file_{separator}"
            for name in NOTEBOOKS:
                data = notebook(student, name)
                if student == "bob" and name == "partial_derivatives.ipynb":
                    archive.writestr(prefix + name, notebook("dan", name))
                    name = "partial_derivatives (1).ipynb"
                archive.writestr(prefix + name, data)
        archive.writestr(
            f"Alice Adams_7001_assignsubmission_onlinetext_{separator}onlinetext.html", b"<p>hi</p>"
        )
        archive.writestr("Gone Gary_7999_assignsubmission_file_/derivatives.ipynb", b"{}")
    return path


def moodle_roster(path: Path) -> Path:
    """Moodle's grading worksheet (the assignment's "Download grading worksheet")."""
    header = [
        "Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
        "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
        "Feedback comments",
    ]  # fmt: skip
    rows = [
        [f"Participant {participant}", full_name, f"{student}@example.edu", "Submitted", "",
         "22.00", "Yes", "Monday, 1 June 2026, 10:00 AM", "-", ""]
        for student, (_, _, full_name, participant) in STUDENTS.items()
    ]  # fmt: skip
    return write_csv(path, header, rows)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))
