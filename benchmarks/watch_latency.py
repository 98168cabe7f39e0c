"""Submit-to-feedback latency of `autograders watch` under a steady stream of submissions.

    python -m benchmarks.watch_latency [--rate 5] [--duration 60] [--workers N] [--timeout 5]
                                       [--with-hang]

1. build `rate * duration` synthetic students (`synthetic_class`, no hanging one by default)
   in a staging folder beside an empty SUBMITTED;
2. start `python -m autograders watch SUBMITTED` and wait until a first student is graded
   (the warm-up is start-up, not latency);
3. move one student folder into SUBMITTED every 1/rate seconds (a rename: the folder appears
   whole, as after `nbgrader collect`), noting the time;
4. when all are graded, read from the watcher's database when each student's reports were
   written, and print the median and the 99th percentile of (written - handed in).
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_class import all_variants, build_class, class_plan

REPO = Path(__file__).resolve().parents[1]
TARGET_MEDIAN, TARGET_P99 = 0.150, 1.0  # seconds (issue 12)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.watch_latency")
    parser.add_argument("--rate", type=float, default=5.0, help="submissions per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of submissions")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=5.0, help="grader timeout, seconds")
    parser.add_argument("--with-hang", action="store_true", help="include a hanging student")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    count = max(1, round(args.rate * args.duration))
    with tempfile.TemporaryDirectory(prefix="watch-latency-") as scratch:
        root = Path(scratch)
        plan = class_plan(count + 1, all_variants(), with_hang=args.with_hang)
        staging = build_class(root / "staging", plan, cache=root / "cache")
        submitted, out = root / "submitted", root / "out"
        submitted.mkdir()
        watcher = start_watcher(submitted, out, args)
        try:
            students = sorted(plan)
            warm_up, measured = students[0], students[1:]
            hand_in(staging, submitted, warm_up)
            wait_until_graded(out, 1, watcher)
            handed_in = stream(staging, submitted, measured, args.rate)
            wait_until_graded(out, 1 + len(measured), watcher)
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.wait(timeout=120)
        latencies = sorted(finished_at(out)[s] - handed_in[s] for s in measured)
    print_figures(latencies, args)
    return 0


def start_watcher(submitted: Path, out: Path, args: argparse.Namespace) -> subprocess.Popen:
    command = [sys.executable, "-m", "autograders", "watch", str(submitted), "--out", str(out)]
    command += ["--seed", "0", "--workers", str(args.workers), "--timeout", str(args.timeout)]
    return subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)


def hand_in(staging: Path, submitted: Path, student: str) -> float:
    (staging / student).rename(submitted / student)
    return time.time()


def stream(staging: Path, submitted: Path, students: list[str], rate: float) -> dict[str, float]:
    """Hand in `students` at `rate` per second; when each was handed in (wall clock)."""
    started, handed_in = time.monotonic(), {}
    for number, student in enumerate(students):
        time.sleep(max(0.0, started + number / rate - time.monotonic()))
        handed_in[student] = hand_in(staging, submitted, student)
    return handed_in


def finished_at(out: Path) -> dict[str, float]:
    """student -> when the watcher had written the reports of their first graded submission."""
    db = sqlite3.connect(out / "watch.sqlite")
    try:
        query = "SELECT student_id, MIN(finished_at) FROM submissions WHERE state='graded' "
        return dict(db.execute(query + "GROUP BY student_id").fetchall())
    finally:
        db.close()


def wait_until_graded(out: Path, count: int, watcher: subprocess.Popen) -> None:
    while True:
        if watcher.poll() is not None:
            raise SystemExit(f"the watcher exited with {watcher.returncode}")
        try:
            if len(finished_at(out)) >= count:
                return
        except sqlite3.OperationalError:
            pass  # not created yet
        time.sleep(0.1)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def print_figures(latencies: list[float], args: argparse.Namespace) -> None:
    median, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    print(
        f"watch: {len(latencies)} submissions at {args.rate:g}/s for {args.duration:g} s, "
        f"{args.workers} workers on {os.cpu_count()} cores"
    )
    print(f"  submit-to-feedback median {median * 1000:.0f} ms  (target <= 150 ms)")
    print(f"  submit-to-feedback p99    {p99 * 1000:.0f} ms  (target <= 1000 ms)")
    print(f"  fastest {latencies[0] * 1000:.0f} ms, slowest {latencies[-1] * 1000:.0f} ms")
    met = median <= TARGET_MEDIAN and p99 <= TARGET_P99
    print(f"  targets {'met' if met else 'missed'}")


if __name__ == "__main__":
    sys.exit(main())
