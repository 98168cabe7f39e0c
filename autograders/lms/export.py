"""`autograders export`: grades.csv into the grade-import CSV of Canvas or Moodle.

    Canvas  Grades > Import: "Student", "ID", "SIS User ID", "SIS Login ID", "Section", then
            the assignment's column, headed as in Canvas's own export: "<name> (<assignment
            id>)". Canvas matches rows by "ID" and the column by its header.
    Moodle  the assignment's "Upload grading worksheet" (offline grading worksheets enabled):
            "Identifier" ("Participant 1234"), "Full name", "Email address", "Grade",
            "Maximum Grade", "Last modified (grade)". Moodle matches rows by "Identifier" and
            refuses the upload without the last column (assignfeedback_offline's importer);
            its dates, copied from the downloaded worksheet, let Moodle keep grades changed
            there since.

One row per roster student. The grade is `total`, the autograded points (the hand-graded
question is not in it). A student without a grade (no row in grades.csv, or a row that says
the grader failed) gets an empty grade, never a 0, and is listed; a graded student missing
from the roster is listed too.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograders.lms.names import CANVAS
from autograders.lms.roster import Roster
from autograders.reports.grades_csv import FORMULA_STARTS, neutralise_formula

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = (
    "Identifier",
    "Full name",
    "Email address",
    "Grade",
    "Maximum Grade",
    "Last modified (grade)",
)
CANVAS_COLUMN = re.compile(r"(?P<name>.+) \((?P<id>\d+)\)")
POINTS_POSSIBLE = "    Points Possible"  # Canvas's own export spells its second row so


class ExportError(ValueError):
    """The import file cannot be written; the message says what is missing."""


@dataclass
class ExportReport:
    exported: int = 0
    without_grade: list[str] = field(default_factory=list)  # roster students, grade left empty
    not_in_roster: list[str] = field(default_factory=list)  # graded students not exported


def read_grades(path: Path) -> tuple[dict[str, dict[str, str]], str]:
    """grades.csv as student id -> row, and its `max_total`."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    if rows and not {"student_id", "total", "status"} <= rows[0].keys():
        raise ExportError(f"{path} is not a grades.csv of `autograders grade`")
    grades = {unneutralised(row["student_id"]): row for row in rows}
    return grades, next((row["max_total"] for row in rows if row.get("max_total")), "")


def export(
    *, grades: Path, lms: str, roster: Roster, out: Path, assignment: str | None = None
) -> ExportReport:
    """Write the import CSV of `lms` for every roster student to `out`."""
    by_student, max_total = read_grades(grades)
    report = ExportReport()
    rows = []
    for row in roster.rows:
        grade = grade_of(by_student.get(row["student_id"]))
        if not grade:
            report.without_grade.append(row["student_id"])
        rows.append((row, grade))
    known = {row["student_id"] for row in roster.rows}
    report.not_in_roster = sorted(set(by_student) - known)
    if lms == CANVAS:
        header, table = canvas_table(rows, canvas_column(roster, assignment), max_total)
    else:
        header, table = moodle_table(rows, max_total)
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows([[safe_cell(cell) for cell in line] for line in table])
    report.exported = len(rows)
    return report


def safe_cell(text: str) -> str:
    """`text` neutralised against formula injection; Moodle's "-" (never graded) is kept."""
    return text if text == "-" else neutralise_formula(text)


def unneutralised(student_id: str) -> str:
    """The id as the roster spells it: grades.csv prefixes `'` to an id such as "-bob"."""
    if student_id.startswith("'") and student_id[1:].startswith(FORMULA_STARTS):
        return student_id[1:]
    return student_id


def grade_of(graded: dict[str, str] | None) -> str:
    """The points to import, or "" when there are none (not graded, or the grader failed)."""
    if graded is None or graded["status"].lstrip("'").startswith("grader error"):
        return ""
    return graded["total"]


def canvas_column(roster: Roster, assignment: str | None) -> str:
    """The assignment's column header: `assignment`, or the roster's "derivatives (N)"."""
    if assignment:
        if not CANVAS_COLUMN.fullmatch(assignment):
            raise ExportError(f"--assignment {assignment!r}: expected 'Name (assignment id)'")
        return assignment
    found = [
        name
        for name in roster.header
        if (match := CANVAS_COLUMN.fullmatch(name)) and match["name"].lower() == "derivatives"
    ]
    if len(found) != 1:
        raise ExportError(
            "cannot tell the Canvas assignment column: give --assignment 'Name (assignment id)' "
            "as the gradebook export heads it (found no single 'derivatives (N)' column)"
        )
    return found[0]


def canvas_table(rows: list, column: str, max_total: str) -> tuple[list[str], list[list[str]]]:
    table = [[POINTS_POSSIBLE, "", "", "", "", max_total]]
    for row, grade in rows:
        identity = [row.get(name, "") or "" for name in CANVAS_IDENTITY]
        identity[1] = row["lms_id"]
        table.append([*identity, grade])
    return [*CANVAS_IDENTITY, column], table


def moodle_table(rows: list, max_total: str) -> tuple[list[str], list[list[str]]]:
    table = [
        [
            row.get("Identifier") or f"Participant {row['lms_id']}",  # in the site's language
            row.get("Full name", "") or "",
            row.get("Email address", "") or "",
            grade,
            row.get("Maximum Grade", "") or max_total,
            row.get("Last modified (grade)", "") or "",
        ]
        for row, grade in rows
    ]
    return list(MOODLE_COLUMNS), table
