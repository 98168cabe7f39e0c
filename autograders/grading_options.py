"""The options every grading verb shares (`grade`, `watch`), and the settings they make: defined
once, so the verbs cannot drift apart."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from autograders.sandbox.host.session import Timeouts
from autograders.settings import Settings

DEFAULTS = Settings()


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    """--workers, --secret-file, --seed, --timeout and --scheduler, with their defaults."""
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
        return f"no course secret: {error}"
    return settings
