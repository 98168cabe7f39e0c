"""The options every grading verb shares (`grade`, `watch`), and the settings they make: defined
once, so the verbs cannot drift apart."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from autograders.release import Release, default_release_folder
from autograders.sandbox.host.session import Timeouts
from autograders.settings import Settings

DEFAULTS = Settings()


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    """--workers, --secret-file, --seed, --timeout, --release and --scheduler, with their
    defaults."""
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULTS.workers,
        help=f"students graded at once (default: {DEFAULTS.workers}, the cores)",
    )
    parser.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="the course secret that keys the hidden inputs, created on first use (default: "
        "$AUTOGRADERS_SECRET_FILE or ~/.config/autograders/course-secret)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULTS.seed,
        help="a public seed instead of the course secret (tests, regrades without the secret): "
        "hidden inputs are then predictable",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULTS.timeouts.question,
        help="seconds allowed per notebook cell and per question (default: %(default)s)",
    )
    release = parser.add_mutually_exclusive_group()
    release.add_argument(
        "--release",
        type=Path,
        default=None,
        help="the release folder the students copied (default: release/<assignment> here, if "
        "it exists): its unchanged leading cells run once, not once per student, and each "
        "notebook runs in a copy of it",
    )
    release.add_argument(
        "--no-release",
        action="store_true",
        help="no release: every cell runs for every student, in an empty folder",
    )
    parser.add_argument(
        "--no-prefix",
        action="store_true",
        help="run every cell for every student, also the release's unchanged leading cells "
        "(each notebook still runs in a copy of the release folder)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        help="grade on this Dask cluster (tcp://HOST:PORT, tls://...; see docs/dask.md) "
        "instead of here",
    )


def settings_from(args: argparse.Namespace) -> Settings | str:
    """The settings the options ask for, with the course secret loaded (created on first
    use); or why they cannot be used, as an error message."""
    if args.workers < 1 or args.timeout <= 0:
        return "--workers and --timeout must be positive"
    folder = None if args.no_release else args.release or default_release_folder()
    if folder is not None and not folder.is_dir():
        return f"--release {folder}: not a folder"
    settings = replace(
        DEFAULTS,
        workers=args.workers,
        seed=args.seed,
        secret_file=args.secret_file,
        timeouts=Timeouts.per_step(args.timeout),
        release=Release(str(folder.resolve()), hold=not args.no_prefix) if folder else None,
    )
    try:
        settings.secret()  # created now, or a clear error, before any warm process starts
    except (OSError, ValueError) as error:
        return f"no course secret: {error}"
    return settings
