"""Dask on a local cluster against the local pool, on the same synthetic class.

    python -m benchmarks.dask_scaling [--students 500] [--workers N] [--timeout 5]

1. build a class of N students (`synthetic_class`, without the hanging one);
2. `python -m autograders grade` with the local pool, timed end to end (start-up included);
3. start `dask scheduler` and `dask worker --nworkers 1 --nthreads W` on 127.0.0.1 and wait
   for the worker: the cluster's start-up, timed apart (a cluster outlives one grading run).
   One worker process with W threads, as docs/dask.md advises for a host: like the local pool,
   one warm process then serves W slots (W worker processes would each import torch and warm
   a sandbox of their own);
4. the same `grade` with `--scheduler`, timed end to end: each worker's sandbox warms up inside
   that time (the plugin is registered by `grade`), as the local pool's does inside its own;
   then once more on the now warm cluster (the workers keep their sandboxes between runs);
5. print the times, Dask's overhead in per cent (step 4's first run against step 2; target:
   at most 10 % at N = 500), and whether the two grades.csv are identical (they must be: same
   seed, same submissions).

`measure` does steps 1 to 4 and returns plain data (`benchmarks.issue12` runs it).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.fast_grader import release_options
from benchmarks.synthetic_class import all_variants, build_class, class_plan

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET_OVERHEAD = 0.10


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_scaling")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=5.0, help="grader timeout, seconds")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dask-scaling-") as scratch:
        figures = measure(
            students=args.students, workers=args.workers, timeout=args.timeout, root=Path(scratch)
        )
    print("\n".join(render(figures)))
    return 1 if figures["differing_rows"] else 0


def measure(*, students: int, workers: int, timeout: float, root: Path) -> dict:
    """The local pool and a local Dask cluster on one class of `students`; seconds."""
    plan = class_plan(students, all_variants(), with_hang=False)
    submitted = build_class(root / "submitted", plan, cache=root / "cache")
    local = timed_grade(submitted, root / "local", workers, timeout)
    started = time.monotonic()
    with LocalCluster(root, workers) as address:
        cluster_start = time.monotonic() - started
        on_dask = timed_grade(submitted, root / "dask", workers, timeout, "--scheduler", address)
        warm = timed_grade(submitted, root / "dask-warm", workers, timeout, "--scheduler", address)
    differing = differing_rows(root / "local/grades.csv", root / "dask/grades.csv")
    return {
        "students": students,
        "workers": workers,
        "cpus": os.cpu_count(),
        "local_seconds": local,
        "cluster_start_seconds": cluster_start,
        "dask_seconds": on_dask,
        "dask_warm_seconds": warm,
        "overhead": on_dask / local - 1,
        "warm_overhead": warm / local - 1,
        "differing_rows": differing,
    }


def render(figures: dict) -> list[str]:
    n, overhead = figures["students"], figures["overhead"]
    lines = [f"N = {n}, {figures['workers']} workers on {figures['cpus']} cores"]
    for label, key in (
        ("local pool      ", "local_seconds"),
        ("Dask, local     ", "dask_seconds"),
        ("Dask, warm again", "dask_warm_seconds"),
    ):
        lines.append(f"  {label} {figures[key]:7.1f} s  {figures[key] / n * 1000:6.0f} ms/student")
    verdict = "met" if overhead <= TARGET_OVERHEAD else "missed"
    lines += [
        f"  cluster start-up {figures['cluster_start_seconds']:7.1f} s  (before timing, apart)",
        f"  Dask overhead    {overhead * 100:+6.1f} %  (target <= 10 %: {verdict})",
        f"  grades.csv identical: {'NO' if figures['differing_rows'] else 'yes'}",
    ]
    for local_row, dask_row in figures["differing_rows"]:
        lines.append(f"    local: {local_row}\n    dask:  {dask_row}")
    return lines


def differing_rows(first: Path, second: Path) -> list[tuple[str, str]]:
    """The pairs of rows that differ between two grades.csv files, line by line."""
    pairs = zip(first.read_text().splitlines(), second.read_text().splitlines(), strict=False)
    return [(a, b) for a, b in pairs if a != b]


def timed_grade(submitted: Path, out: Path, workers: int, timeout: float, *extra: str) -> float:
    command = [sys.executable, "-m", "autograders", "grade", str(submitted), "--out", str(out)]
    command += ["--seed", "0", "--workers", str(workers), "--timeout", f"{timeout:g}"]
    command += release_options()
    started = time.monotonic()
    subprocess.run([*command, *extra], cwd=REPO, check=True, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


class LocalCluster:
    """`dask scheduler` and one `dask worker` with `workers` threads on 127.0.0.1; the
    scheduler's address."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root, self.workers = root, workers
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> str:
        address_file = self.root / "scheduler.json"
        common = ["--no-dashboard", "--host", "127.0.0.1"]
        self.start("scheduler", "--port", "0", "--scheduler-file", str(address_file), *common)
        self.start(
            "worker", "--scheduler-file", str(address_file), "--nworkers", "1",
            "--nthreads", str(self.workers), "--memory-limit", "0", *common,
        )  # fmt: skip
        from distributed import Client

        with Client(scheduler_file=str(address_file), timeout="120s") as client:
            client.wait_for_workers(1, timeout=120)
            return client.scheduler.address

    def start(self, *args: str) -> None:
        env = os.environ | {"PYTHONPATH": str(REPO)}
        log = (self.root / f"{args[0]}.log").open("w")
        self.processes.append(
            subprocess.Popen([str(BIN / "dask"), *args], env=env, stdout=log, stderr=log)
        )

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
