"""The roster: which LMS user is which nbgrader student.

A roster is a CSV file; the LMS's own exports serve as is:

    Canvas  Grades > Export (the gradebook CSV): "Student", "ID" (the user id in download
            names), "SIS User ID", "SIS Login ID", "Section", one column per assignment
    Moodle  the assignment's "Download grading worksheet": "Identifier" ("Participant 1234",
            the id in download names), "Full name", "Email address", ...

The nbgrader student id is read from `id_column` (default: Canvas "SIS Login ID", Moodle
"Email address"). A plain roster with the columns `lms_id` and `student_id` works for both.
Rows without an LMS id (Canvas's "Points Possible" row) are skipped; rows whose student id is
not valid (`autograders.student_ids`) are set aside and reported, never guessed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograders.lms.names import CANVAS
from autograders.student_ids import is_valid_student_id, shown

KEY_COLUMN = {"canvas": "ID", "moodle": "Identifier"}
DEFAULT_ID_COLUMN = {"canvas": "SIS Login ID", "moodle": "Email address"}
PLAIN = ("lms_id", "student_id")
MOODLE_IDENTIFIER = re.compile(r"(?:\D*\s)?(?P<number>\d+)")


class RosterError(ValueError):
    """The roster cannot be used at all; the message says which columns were expected."""


@dataclass
class Roster:
    header: list[str]
    rows: list[dict[str, str]]  # every usable row, in file order, with "lms_id" and "student_id"
    by_lms_id: dict[str, dict[str, str]] = field(default_factory=dict)
    set_aside: list[str] = field(default_factory=list)  # why each unusable row was skipped


def read_roster(path: Path, lms: str, id_column: str | None = None) -> Roster:
    """Read the roster at `path` for `lms` ("canvas" or "moodle"); RosterError if unusable."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            header = list(reader.fieldnames or [])
            records = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"cannot read the roster {path}: {error}") from None
    key_column, id_column = columns(header, lms, id_column)
    roster = Roster(header, [])
    for number, record in enumerate(records, start=2):
        lms_id = lms_key(record.get(key_column) or "", lms)
        student_id = (record.get(id_column) or "").strip()
        if not lms_id:
            continue
        if not is_valid_student_id(student_id) or lms_id in roster.by_lms_id:
            roster.set_aside.append(
                f"roster line {number}: {id_column} {shown(student_id)} "
                + ("repeats an LMS id" if lms_id in roster.by_lms_id else "is not a valid id")
            )
            continue
        row = {**record, "lms_id": lms_id, "student_id": student_id}
        roster.rows.append(row)
        roster.by_lms_id[lms_id] = row
    return roster


def columns(header: list[str], lms: str, id_column: str | None) -> tuple[str, str]:
    """(the LMS id column, the student id column) of this roster."""
    if id_column is None and all(name in header for name in PLAIN):
        return PLAIN
    key_column = KEY_COLUMN[lms]
    id_column = id_column or DEFAULT_ID_COLUMN[lms]
    missing = [name for name in (key_column, id_column) if name not in header]
    if missing:
        raise RosterError(
            f"the roster has no column {', '.join(map(repr, missing))}. Expected the "
            f"{lms.capitalize()} export with {key_column!r} and {id_column!r} (choose another "
            f"with --id-column), or the columns 'lms_id' and 'student_id'; found "
            f"{', '.join(map(repr, header[:8])) or 'no header'}"
        )
    return key_column, id_column


def lms_key(value: str, lms: str) -> str:
    """The LMS id as download names spell it: Canvas "1234"; Moodle "Participant 1234" (the
    word in the site's language: Moodle's importer, too, reads only the number after it)."""
    value = value.strip()
    if lms != CANVAS:
        match = MOODLE_IDENTIFIER.fullmatch(value)
        value = match["number"] if match else ""
    return value if value.isdigit() else ""
