"""The `collect` and `export` verbs of the command line (see `autograders.lms`)."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from autograders.lms.names import LMS_NAMES
from autograders.lms.roster import DEFAULT_ID_COLUMN, RosterError, read_roster


def add_parsers(verbs: argparse._SubParsersAction) -> None:
    collect = verbs.add_parser(
        "collect", help="turn a Canvas or Moodle bulk download into nbgrader's submitted layout"
    )
    collect.add_argument("download", type=Path, help="the LMS's zip of all submissions")
    collect.add_argument("--out", type=Path, required=True, help="the submitted/ folder to fill")
    add_common(collect)
    collect.set_defaults(run=collect_command)
    export = verbs.add_parser("export", help="write grades.csv as Canvas's or Moodle's import CSV")
    export.add_argument("grades", type=Path, help="grades.csv written by `autograders grade`")
    export.add_argument("--out", type=Path, required=True, help="the import CSV to write")
    export.add_argument(
        "--assignment",
        default=None,
        help="Canvas: the assignment's column as the gradebook export heads it, "
        "'Name (assignment id)' (default: the roster's 'derivatives (N)' column)",
    )
    add_common(export)
    export.set_defaults(run=export_command)


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lms", choices=LMS_NAMES, required=True)
    parser.add_argument(
        "--roster",
        type=Path,
        required=True,
        help="Canvas's gradebook export, Moodle's grading worksheet, or a CSV with the columns "
        "lms_id and student_id",
    )
    parser.add_argument(
        "--id-column",
        default=None,
        help="the roster column with the nbgrader student id (default: "
        + ", ".join(f"{lms} {column!r}" for lms, column in DEFAULT_ID_COLUMN.items())
        + ")",
    )


def collect_command(args: argparse.Namespace) -> int:
    from autograders.lms.collect import REPORT_NAME, collect

    try:
        roster = read_roster(args.roster, args.lms, args.id_column)
        report = collect(download=args.download, lms=args.lms, roster=roster, out=args.out)
    except RosterError as error:
        return fail(str(error))
    except (OSError, zipfile.BadZipFile) as error:
        return fail(f"cannot read the download {args.download}: {error}")
    for line in roster.set_aside + report.lines():
        print(line, file=sys.stderr)
    print(f"report: {args.out / REPORT_NAME}", file=sys.stderr)
    return 0


def export_command(args: argparse.Namespace) -> int:
    from autograders.lms.export import ExportError, export

    try:
        roster = read_roster(args.roster, args.lms, args.id_column)
        report = export(
            grades=args.grades,
            lms=args.lms,
            roster=roster,
            out=args.out,
            assignment=args.assignment,
        )
    except (RosterError, ExportError) as error:
        return fail(str(error))
    except (OSError, UnicodeDecodeError) as error:
        return fail(f"cannot read or write: {error}")
    for line in roster.set_aside:
        print(line, file=sys.stderr)
    print(f"wrote {report.exported} students to {args.out}", file=sys.stderr)
    if report.without_grade:
        print(f"warning: left without a grade: {', '.join(report.without_grade)}", file=sys.stderr)
    if report.not_in_roster:
        names = ", ".join(report.not_in_roster)
        print(f"warning: graded but not in the roster (not exported): {names}", file=sys.stderr)
    return 0


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
