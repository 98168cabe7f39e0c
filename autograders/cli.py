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
from dataclasses import replace
from pathlib import Path

from autograders import layout
from autograders.gradescope import cli as gradescope_cli
from autograders.lms import cli as lms_cli
from autograders.sandbox.session import Timeouts
from autograders.settings import Settings
from autograders.watch import cli as watch_cli

DEFAULTS = Settings()


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
    grade.add_argument(
        "--workers",
        type=int,
        default=DEFAULTS.workers,
        help=f"students graded at once (default: {DEFAULTS.workers}, the cores)",
    )
    grade.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="the course secret that keys the hidden inputs, created on first use (default: "
        "$AUTOGRADERS_SECRET_FILE or ~/.config/autograders/course-secret)",
    )
    grade.add_argument(
        "--seed",
        type=int,
        default=DEFAULTS.seed,
        help="a public seed instead of the course secret (tests, regrades without the secret): "
        "hidden inputs are then predictable",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=DEFAULTS.timeouts.question,
        help="seconds allowed per notebook cell and per question (default: %(default)s)",
    )
    grade.add_argument(
        "--scheduler",
        default=None,
        help="grade on this Dask cluster (tcp://HOST:PORT; see docs/dask.md) instead of here",
    )
    grade.set_defaults(run=grade_command)


def main(argv: list[str] | None = None) -> int:
    """Run one verb; its exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)
    return args.run(args)


def grade_command(args: argparse.Namespace) -> int:
    """`grade`: check the input, start the sandbox, grade the class, write the reports."""
    try:
        layout.check_submitted(args.submitted)  # before anything starts: a clear exit 2
    except layout.LayoutError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.workers < 1 or args.timeout <= 0:
        print("error: --workers and --timeout must be positive", file=sys.stderr)
        return 2
    settings = replace(
        DEFAULTS,
        workers=args.workers,
        seed=args.seed,
        secret_file=args.secret_file,
        timeouts=Timeouts.per_step(args.timeout),
    )
    try:
        settings.secret()  # created now, or a clear error, before any warm process starts
    except (OSError, ValueError) as error:
        print(f"error: no course secret: {error}", file=sys.stderr)
        return 2
    from autograders.sandbox.pool import Sandbox  # the standard library only

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
