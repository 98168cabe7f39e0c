"""The `watch` and `watch-status` verbs (registered by `autograders.cli`).

autograders watch SUBMITTED --out OUT [--database FILE] [--scheduler ADDRESS]
                                      [--no-inotify] [--poll S] [--settle S] [--rescan S]
                                      [--workers N] [--secret-file F | --seed S] [--timeout S]
                                      [--once] [--nbgrader-course COURSE]
autograders watch-status --out OUT [--database FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograders.grading_options import add_grading_options, settings_from
from autograders.watch import scan

DATABASE_NAME = "watch.sqlite"  # in OUT unless --database says otherwise


def add_parsers(verbs: argparse._SubParsersAction) -> None:
    watch = verbs.add_parser("watch", help="grade each submission as it arrives, until SIGTERM")
    watch.add_argument("submitted", type=Path, help="nbgrader's submitted/ folder, watched")
    add_common(watch)
    watch.add_argument(
        "--no-inotify",
        dest="inotify",
        action="store_false",
        help="poll every folder instead of being told of changes by inotify (Linux)",
    )
    watch.add_argument(
        "--poll", type=float, default=scan.POLL, help="seconds between scans, when polling"
    )
    watch.add_argument(
        "--settle",
        type=float,
        default=scan.SETTLE,
        help="inotify: seconds a changed folder must stay unchanged before it is graded "
        "(default: %(default)s)",
    )
    watch.add_argument(
        "--rescan",
        type=float,
        default=scan.RESCAN,
        help="inotify: seconds between scans of every folder, for changes inotify cannot see "
        "(another host writing to a network file system; default: %(default)s)",
    )
    add_grading_options(watch)
    watch.add_argument(
        "--once", action="store_true", help="exit when everything present has been graded"
    )
    watch.add_argument(
        "--nbgrader-course",
        type=Path,
        default=None,
        help="also run nbgrader autograde, generate_feedback and release_feedback there for "
        "each graded student (gradebook, fetch_feedback); see docs/watch.md",
    )
    watch.set_defaults(run=watch_command)
    status = verbs.add_parser("watch-status", help="print the queue of a watcher")
    add_common(status)
    status.set_defaults(run=status_command)


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder for the reports")
    parser.add_argument(
        "--database", type=Path, default=None, help=f"the queue (default: OUT/{DATABASE_NAME})"
    )


def database(args: argparse.Namespace) -> Path:
    return args.database or args.out / DATABASE_NAME


def watch_command(args: argparse.Namespace) -> int:
    """`watch`: check the input and the secret, then grade until stopped."""
    if not args.submitted.is_dir():
        print(f"error: {args.submitted} is not a folder", file=sys.stderr)
        return 2
    if min(args.poll, args.rescan) <= 0 or args.settle < 0:
        print("error: --poll and --rescan must be positive, --settle not negative", file=sys.stderr)
        return 2
    settings = settings_from(args)
    if isinstance(settings, str):
        print(f"error: {settings}", file=sys.stderr)
        return 2
    from autograders.watch.service import WatchOptions, watch

    options = WatchOptions(
        submitted=args.submitted,
        out=args.out,
        database=database(args),
        poll=args.poll,
        inotify=args.inotify,
        settle=args.settle,
        rescan=args.rescan,
        scheduler=args.scheduler,
        once=args.once,
        nbgrader_course=args.nbgrader_course,
    )
    return watch(options, settings)


def status_command(args: argparse.Namespace) -> int:
    """`watch-status`: the counts per state, then what waits, what runs and what finished."""
    path = database(args)
    if not path.is_file():
        print(f"error: no watcher database at {path}", file=sys.stderr)
        return 2
    from autograders.watch.store import Store

    store = Store(path)
    try:
        print(", ".join(f"{state} {count}" for state, count in store.counts().items()))
        for row in store.rows(("queued", "grading")) + store.rows(("graded",), limit=20):
            print(format_row(*row))
    finally:
        store.close()
    return 0


def format_row(
    job_id: int,
    student_id: str,
    state: str,
    seen_at: float,
    started_at: float | None,
    finished_at: float | None,
    total: float | None,
    max_total: float | None,
    status: str | None,
) -> str:
    seen = time.strftime("%H:%M:%S", time.localtime(seen_at))
    line = f"{job_id:>6} {student_id:<24} {state:<8} seen {seen}"
    if finished_at is not None:
        line += f"  feedback after {finished_at - seen_at:.2f} s  {total:g}/{max_total:g}  {status}"
    elif started_at is not None:
        line += f"  grading for {time.time() - started_at:.1f} s"
    return line
