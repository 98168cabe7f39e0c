"""Issue 12's benchmark in one run: batch grading beside stock nbgrader, `watch`'s latency, Dask.

    python -m benchmarks.issue12                 # the full run: about 45 minutes on 2 cores
    python -m benchmarks.issue12 --no-nbgrader   # without stock nbgrader (it takes ~30 of them)
    python -m benchmarks.issue12 --quick         # tiny classes, a short stream: about 2 minutes

One command, each stage alone on the machine, in this order:
  1. batch: `python -m autograders grade` on classes of N = 10, 100, 500, 2000 (no hanging
     submission), wall time and peak RSS/PSS of the grader's process tree per N
     (`grading_speed.measure_scaling`), and the linear fit wall = start-up + slope x N;
  2. stock `nbgrader autograde` (nbgrader's own Execute, in a course copy) on the same classes
     at N = 10 and 100 (`runs.nbgrader_run`): the speed-up is its wall time over the fast
     grader's, at the same N, in this run;
  3. `watch`: a steady stream of submissions (5 per second for a minute) into a running
     watcher; the median and 99th percentile of submit-to-feedback (`watch_latency.measure`);
  4. Dask: the local pool against a local cluster at N = 500, the cluster started before
     timing and its start-up reported apart (`dask_scaling.measure`);
  5. print one report with every target of the issue marked PASS or MISS (`issue12_report`),
     write `issue12.json` and `issue12.png` (latency distribution; time and memory against N).
Run it on an otherwise idle machine: the report says how much CPU other processes took.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from benchmarks import (
    dask_scaling,
    grading_speed,
    issue12_report,
    nbgrader_course,
    report,
    runs,
    synthetic_class,
    watch_latency,
)
from benchmarks.runs import REPO, RunSettings

DEFAULT_OUT = REPO / "benchmarks" / "results"
QUICK = {  # --quick: every stage, on sizes that prove it works end to end
    "scales": "2,5",
    "nbgrader_at": "2",
    "watch_rate": 2.0,
    "watch_duration": 3.0,
    "dask_students": 4,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.issue12",
        description="Issue 12's targets measured in one run (see benchmarks/README.md).",
    )
    add = parser.add_argument
    add("--quick", action="store_true", help=f"small sizes, a short stream: {QUICK}")
    add("--scales", default="10,100,500,2000", help="batch class sizes (default: %(default)s)")
    add(
        "--nbgrader",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="grade with stock nbgrader at --nbgrader-at, ON by default: about 10 s per "
        "student, so about 25 minutes at N = 100; --no-nbgrader leaves the speed-ups n/a",
    )
    add("--nbgrader-at", default="10,100", help="class sizes for stock nbgrader (%(default)s)")
    add("--watch-rate", type=float, default=5.0, help="submissions per second (%(default)s)")
    add("--watch-duration", type=float, default=60.0, help="seconds of stream (%(default)s)")
    add("--dask-students", type=int, default=500, help="class size of the Dask comparison")
    add("--no-watch", action="store_true", help="leave out the watch stage")
    add("--no-dask", action="store_true", help="leave out the Dask stage")
    add("--workers", type=int, default=os.cpu_count() or 1, help="slots of every grader")
    add("--timeout", type=float, default=5.0, help="seconds per cell and question, every grader")
    add("--seed", type=int, default=0, help="seed of the class mix")
    add("--out", type=Path, default=DEFAULT_OUT, help="folder for issue12.json and .png")
    add("--keep-workdir", action="store_true", help="keep the classes and reports")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    scales = sizes(args.scales)
    nbgrader_at = sizes(args.nbgrader_at) if args.nbgrader else []
    scales = sorted(set(scales) | set(nbgrader_at))  # a speed-up compares runs at one N
    with runs.work_folder("issue12-", keep=args.keep_workdir) as workdir:
        settings = RunSettings(timeout=args.timeout, workers=args.workers, workdir=workdir)
        result = run(args, scales, nbgrader_at, settings)
    print(issue12_report.render(result))
    paths = issue12_report.write(result, args.out)
    print("\n".join(f"wrote {path}" for path in paths))
    return 0


def sizes(text: str) -> list[int]:
    found = sorted({int(n) for n in text.split(",") if n.strip()})
    if any(n < 1 for n in found):
        raise SystemExit("error: class sizes must be positive")
    return found


def run(
    args: argparse.Namespace, scales: list[int], nbgrader_at: list[int], settings: RunSettings
) -> dict:
    work = settings.workdir
    variants = synthetic_class.all_variants()
    cache = work / "variants"
    result: dict = {
        "schema": "derivatives-issue12/1",
        "machine": report.machine(),
        "quick": args.quick,
        "settings": runs.as_dict(settings) | {"seed": args.seed},
    }
    result["batch"] = grading_speed.measure_scaling(scales, variants, cache, args.seed, settings)
    result["nbgrader_stock"] = [
        stock_run(n, variants, cache, args.seed, settings) for n in nbgrader_at
    ]
    result["watch"] = None
    if not args.no_watch:
        progress(f"watch: {args.watch_rate:g} submissions/s for {args.watch_duration:g} s")
        result["watch"] = watch_latency.measure(
            rate=args.watch_rate,
            duration=args.watch_duration,
            workers=args.workers,
            timeout=args.timeout,
            with_hang=False,
            root=fresh(work / "watch"),
        )
    result["dask"] = None
    if not args.no_dask and dask_available():
        progress(f"Dask against the local pool: class of {args.dask_students}")
        result["dask"] = dask_scaling.measure(
            students=args.dask_students,
            workers=args.workers,
            timeout=args.timeout,
            root=fresh(work / "dask"),
        )
    result["targets"] = issue12_report.evaluate_targets(result)
    return result


def stock_run(n: int, variants: dict, cache: Path, seed: int, settings: RunSettings) -> dict:
    """Stock `nbgrader autograde` on the batch stage's class of `n` (same plan, same seed)."""
    progress(f"stock nbgrader autograde: class of {n} (about 10 s per student)")
    plan = synthetic_class.class_plan(n, variants, with_hang=False, seed=seed)
    class_dir = synthetic_class.build_class(settings.workdir / f"stock-{n}", plan, cache=cache)
    course = settings.workdir / f"course-stock-{n}"
    summary, seconds, _ = runs.nbgrader_run(
        class_dir, course, n, engine=nbgrader_course.STOCK, settings=settings
    )
    shutil.rmtree(course, ignore_errors=True)
    shutil.rmtree(class_dir, ignore_errors=True)
    return summary | {"student_seconds": seconds}


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        progress("Dask is not installed (pip install -e '.[dask]'): its stage is left out")
        return False
    return True


def fresh(folder: Path) -> Path:
    folder.mkdir(parents=True)
    return folder


def progress(message: str) -> None:
    print(f"[issue12] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
