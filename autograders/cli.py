"""The command line: a thin layer over keyword-only functions.

autograders grade SUBMITTED --out OUT [--workers N] [--secret-file F | --seed S]
                                      [--timeout SECONDS] [--scheduler tcp://HOST:PORT]
autograders watch SUBMITTED --out OUT [same options] [--poll SECONDS] [--once]
autograders watch-status --out OUT
autograders gradescope build --out autograder.zip [--secret-file F]
autograders collect DOWNLOAD.zip --lms canvas|moodle --roster ROSTER.csv --out SUBMITTED
autograders export GRADES.csv --lms canvas|moodle --roster ROSTER.csv --out IMPORT.csv

(`python -m autograders ...` is the same command.) Exit codes: 0 done, 1 the grader failed on
a student, 2 wrong input (the message says what was expected and what was found).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from autograders import layout
from autograders.gradescope import cli as gradescope_cli
from autograders.grading_options import add_grading_options, settings_from
from autograders.lms import cli as lms_cli
from autograders.watch import cli as watch_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograders", description="Grade the `derivatives` assignment safely."
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    add_grade_parser(verbs)
    gradescope_cli.add_parser(verbs)
    lms_cli.add_parsers(verbs)
    watch_cli.add_parsers(verbs)
    return parser


def add_grade_parser(verbs: argparse._SubParsersAction) -> None:
    grade = verbs.add_parser("grade", help="grade a class (or one student) and write reports")
    grade.add_argument(
        "submitted",
        type=Path,
        help="nbgrader's submitted/ folder (SUBMITTED/<student>/derivatives/"
        "*.ipynb), or one student's folder",
    )
    grade.add_argument("--out", type=Path, required=True, help="folder for the reports")
    add_grading_options(grade)
    grade.set_defaults(run=grade_command)


def main(argv: list[str] | None = None) -> int:
    """Run one verb; its exit code (see the module docstring)."""
    skip_unused_imports()
    args = build_parser().parse_args(argv)
    return args.run(args)


def skip_unused_imports() -> None:
    """jsonschema (under nbformat) imports `rfc3987_syntax`, when it is installed, to check
    "iri" formats, which nothing here checks: it compiles 38 grammars at import, about a
    second of start-up. Marked absent, jsonschema leaves that one format check out."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: absent


def grade_command(args: argparse.Namespace) -> int:
    """`grade`: check the input, start the sandbox, grade the class, write the reports."""
    try:
        layout.check_submitted(args.submitted)  # before anything starts: a clear exit 2
    except layout.LayoutError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    settings = settings_from(args)
    if isinstance(settings, str):
        print(f"error: {settings}", file=sys.stderr)
        return 2
    from autograders.sandbox.host.pool import Sandbox  # the standard library only

    local = args.scheduler is None  # else each Dask worker has its own sandbox
    with Sandbox(settings.limits, settings.workers) if local else contextlib.nullcontext() as box:
        from autograders.grade import grade_class  # meanwhile torch loads here

        results = grade_class(
            submitted=args.submitted,
            out=args.out,
            settings=settings,
            sandbox=box,
            scheduler=args.scheduler,
        )
    return report_class(results, args.out)


def report_class(results: list, out: Path) -> int:
    """Print the sandbox warnings and the class summary; 1 if the grader failed on anyone."""
    warnings = {warning for result in results for warning in result.sandbox_warnings}
    for warning in sorted(warnings):
        print(f"warning: weaker sandbox on this machine: {warning}", file=sys.stderr)
    failed = [r.student_id for r in results if r.grader_error]
    total = sum(r.total for r in results)
    print(
        f"graded {len(results)} students into {out} "
        f"(mean {total / max(len(results), 1):.2f} points)",
        file=sys.stderr,
    )
    if failed:
        print(
            f"error: the grader failed on {len(failed)} students: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0
