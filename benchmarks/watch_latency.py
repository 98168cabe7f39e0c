"""Submit-to-feedback latency of `autograders watch` under a steady stream of submissions.

    python -m benchmarks.watch_latency [--rate 5] [--duration 60] [--workers N] [--timeout 5]
                                       [--with-hang]

1. build `rate * duration` synthetic students (`synthetic_class`, no hanging one by default)
   in a staging folder beside an empty SUBMITTED;
2. start `python -m autograders watch SUBMITTED`, hand in two students per worker at once and
   wait until they are graded: the warm-up (every slot's warm process and its release
   prefixes started) is start-up, not latency;
3. move one student folder into SUBMITTED every 1/rate seconds (a rename: the folder appears
   whole, as after `nbgrader collect`), noting the time;
4. when all are graded, read from the watcher's database when each student's reports were
   written, and print the median and the 99th percentile of (written - handed in).

`measure` does steps 1 to 4 and returns the figures as plain data (`benchmarks.issue12` runs
it beside the batch and Dask measurements).
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

from benchmarks.fast_grader import release_options
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
    with tempfile.TemporaryDirectory(prefix="watch-latency-") as scratch:
        figures = measure(
            rate=args.rate,
            duration=args.duration,
            workers=args.workers,
            timeout=args.timeout,
            with_hang=args.with_hang,
            root=Path(scratch),
        )
    print("\n".join(render(figures)))
    return 0


def measure(
    *, rate: float, duration: float, workers: int, timeout: float, with_hang: bool, root: Path
) -> dict:
    """Stream `rate * duration` students into a running watcher; the figures (seconds)."""
    count, warm_ups = max(1, round(rate * duration)), 2 * workers
    plan = class_plan(warm_ups + count, all_variants(), with_hang=with_hang)
    staging = build_class(root / "staging", plan, cache=root / "cache")
    submitted, out = root / "submitted", root / "out"
    submitted.mkdir()
    started = time.monotonic()
    watcher = start_watcher(submitted, out, workers, timeout, root / "watch.log")
    try:
        students = sorted(plan)
        warm_up, measured = students[:warm_ups], students[warm_ups:]
        for student in warm_up:
            hand_in(staging, submitted, student)
        wait_until_graded(out, warm_ups, watcher)
        warm_up_seconds = time.monotonic() - started
        handed_in = stream(staging, submitted, measured, rate)
        wait_until_graded(out, warm_ups + len(measured), watcher)
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=120)
    latencies = sorted(finished_at(out)[s] - handed_in[s] for s in measured)
    stages = stage_times(out, {s: handed_in[s] for s in measured})
    return {
        "rate": rate,
        "duration": duration,
        "workers": workers,
        "cpus": os.cpu_count(),
        "submissions": len(latencies),
        "warm_up_seconds": warm_up_seconds,
        "median_seconds": statistics.median(latencies),
        "p99_seconds": percentile(latencies, 0.99),
        "fastest_seconds": latencies[0],
        "slowest_seconds": latencies[-1],
        "latencies_seconds": latencies,
        "median_stage_seconds": {
            stage: statistics.median(times) for stage, times in stages.items()
        },
    }


def start_watcher(
    submitted: Path, out: Path, workers: int, timeout: float, log: Path
) -> subprocess.Popen:
    command = [sys.executable, "-m", "autograders", "watch", str(submitted), "--out", str(out)]
    command += ["--seed", "0", "--workers", str(workers), "--timeout", f"{timeout:g}"]
    command += release_options()
    with log.open("w") as stderr:  # the watcher's own progress lines, kept for a post-mortem
        return subprocess.Popen(command, cwd=REPO, stderr=stderr)


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


def stage_times(out: Path, handed_in: dict[str, float]) -> dict[str, list[float]]:
    """Where each submission's time went, from the watcher's database: detected (handed in ->
    queued), waiting (queued -> a slot took it), graded (-> reports written and recorded)."""
    db = sqlite3.connect(out / "watch.sqlite")
    try:
        rows = db.execute(
            "SELECT student_id, seen_at, started_at, finished_at FROM submissions "
            "WHERE state='graded' ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    first = {}
    for student, seen, started, finished in rows:
        first.setdefault(student, (seen, started, finished))
    stages: dict[str, list[float]] = {"detected": [], "waiting": [], "graded": []}
    for student, at in handed_in.items():
        seen, started, finished = first[student]
        stages["detected"].append(seen - at)
        stages["waiting"].append(started - seen)
        stages["graded"].append(finished - started)
    return stages


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


def render(figures: dict) -> list[str]:
    median, p99 = figures["median_seconds"], figures["p99_seconds"]
    met = median <= TARGET_MEDIAN and p99 <= TARGET_P99
    return [
        f"watch: {figures['submissions']} submissions at {figures['rate']:g}/s for "
        f"{figures['duration']:g} s, {figures['workers']} workers on {figures['cpus']} cores",
        f"  submit-to-feedback median {median * 1000:.0f} ms  (target <= 150 ms)",
        f"  submit-to-feedback p99    {p99 * 1000:.0f} ms  (target <= 1000 ms)",
        f"  fastest {figures['fastest_seconds'] * 1000:.0f} ms, "
        f"slowest {figures['slowest_seconds'] * 1000:.0f} ms; "
        f"warm-up (start to {2 * figures['workers']} students graded) "
        f"{figures['warm_up_seconds']:.1f} s",
        "  median split: "
        + ", ".join(
            f"{stage} {seconds * 1000:.0f} ms"
            for stage, seconds in figures["median_stage_seconds"].items()
        )
        + " (handed in -> queued -> taken for grading -> recorded)",
        f"  targets {'met' if met else 'missed'}",
    ]


if __name__ == "__main__":
    sys.exit(main())
