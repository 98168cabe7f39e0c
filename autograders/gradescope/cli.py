"""The `gradescope` verb of the command line: `autograders gradescope build --out ZIP`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(verbs: argparse._SubParsersAction) -> None:
    gradescope = verbs.add_parser("gradescope", help="grade on Gradescope")
    actions = gradescope.add_subparsers(dest="action", required=True)
    build = actions.add_parser(
        "build",
        help="write the autograder zip to upload in Gradescope's Configure Autograder",
        description="Write the autograder zip (see docs/gradescope.md).",
    )
    build.add_argument("--out", type=Path, required=True, help="the zip to write")
    build.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="put this course secret in the zip (the same hidden inputs as a local `grade "
        "--secret-file`); default: a fresh secret made for this zip only",
    )
    build.set_defaults(run=build_command)


def build_command(args: argparse.Namespace) -> int:
    from autograders.gradescope.build import BuildError, build_zip

    try:
        names = build_zip(out=args.out, secret_file=args.secret_file)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    origin = f"the course secret from {args.secret_file}" if args.secret_file else "a new secret"
    print(
        f"wrote {args.out}: {', '.join(names)}\n"
        f"hidden inputs are keyed by {origin} (course-secret in the zip): keep the zip private",
        file=sys.stderr,
    )
    return 0
