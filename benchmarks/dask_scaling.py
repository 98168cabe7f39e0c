"""Dask on a local cluster against the local pool, on the same synthetic class.

    python -m benchmarks.dask_scaling [--students 500] [--workers N] [--timeout 5]

1. build a class of N students (`synthetic_class`, without the hanging one);
2. `python -m autograders grade` with the local pool, timed end to end (start-up included);
3. start `dask scheduler` and `dask worker --nworkers W --nthreads 1` on 127.0.0.1, then the
   same `grade` with `--scheduler`, timed end to end (each worker's sandbox warms up inside
   that time, as the local pool's does inside its own);
   then once more on the now warm cluster (the workers keep their sandboxes between runs);
4. print the times, Dask's overhead in per cent (first run, start-up included, against the
   local pool's; target: at most 10 % at N = 500), and whether the two grades.csv are
   identical (they must be: same seed, same submissions).
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
        root = Path(scratch)
        plan = class_plan(args.students, all_variants(), with_hang=False)
        submitted = build_class(root / "submitted", plan, cache=root / "cache")
        local = timed_grade(submitted, root / "local", args)
        with LocalCluster(root, args.workers) as address:
            on_dask = timed_grade(submitted, root / "dask", args, "--scheduler", address)
            warm = timed_grade(submitted, root / "dask-warm", args, "--scheduler", address)
        differing = differing_rows(root / "local/grades.csv", root / "dask/grades.csv")
    overhead = on_dask / local - 1
    print(f"N = {args.students}, {args.workers} workers on {os.cpu_count()} cores")
    print(f"  local pool       {local:7.1f} s  {local / args.students * 1000:6.0f} ms/student")
    print(f"  Dask, local      {on_dask:7.1f} s  {on_dask / args.students * 1000:6.0f} ms/student")
    print(f"  Dask, warm again {warm:7.1f} s  {warm / args.students * 1000:6.0f} ms/student")
    verdict = "met" if overhead <= TARGET_OVERHEAD else "missed"
    print(f"  Dask overhead    {overhead * 100:+6.1f} %  (target <= 10 %: {verdict})")
    print(f"  grades.csv identical: {'NO' if differing else 'yes'}")
    for local_row, dask_row in differing:
        print(f"    local: {local_row}\n    dask:  {dask_row}")
    return 1 if differing else 0


def differing_rows(first: Path, second: Path) -> list[tuple[str, str]]:
    """The pairs of rows that differ between two grades.csv files, line by line."""
    pairs = zip(first.read_text().splitlines(), second.read_text().splitlines(), strict=False)
    return [(a, b) for a, b in pairs if a != b]


def timed_grade(submitted: Path, out: Path, args: argparse.Namespace, *extra: str) -> float:
    command = [sys.executable, "-m", "autograders", "grade", str(submitted), "--out", str(out)]
    command += ["--seed", "0", "--workers", str(args.workers), "--timeout", str(args.timeout)]
    started = time.monotonic()
    subprocess.run([*command, *extra], cwd=REPO, check=True, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


class LocalCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1; the scheduler's address."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root, self.workers, self.processes = root, workers, []

    def __enter__(self) -> str:
        address_file = self.root / "scheduler.json"
        common = ["--no-dashboard", "--host", "127.0.0.1"]
        self.start("scheduler", "--port", "0", "--scheduler-file", str(address_file), *common)
        self.start(
            "worker", "--scheduler-file", str(address_file), "--nworkers", str(self.workers),
            "--nthreads", "1", "--memory-limit", "0", *common,
        )  # fmt: skip
        from distributed import Client

        with Client(scheduler_file=str(address_file), timeout="120s") as client:
            client.wait_for_workers(self.workers, timeout=120)
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
