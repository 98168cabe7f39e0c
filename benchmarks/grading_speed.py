"""How fast is `python -m autograders grade`, next to stock `nbgrader autograde`?

    python -m benchmarks.grading_speed [--students 10] [--repeats 3] [--scales 10,100,500,2000]
                                       [--skip-nbgrader] [--timeout 5] [--out benchmarks/results]

One command, in this order:
  1. make a synthetic class of N students (`synthetic_class`), and the same class without its
     hanging submission;
  2. grade both with the fast grader, R times each;
  3. grade the class with stock `nbgrader autograde` in a course copy (and, when the project's
     nbgrader_config.py plugs it in, with nbgrader driving the isolated engine);
  4. grade growing classes (no hanging submission) with the fast grader alone;
  5. print the figures and the targets, write `grading_speed.json` and `grading_speed.png`.
Each grader runs alone, so none competes with another for the machine's cores.

Per-student times are wall time / students of each run (results.json's `execution_time` is in
whole seconds, too coarse). "Excluding the hang" is measured, not subtracted, for the fast
grader (the class re-graded without that student); for nbgrader, which grades one student
after another, the hanging student's time is read from its log and taken out.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from benchmarks import (
    comparison,
    fast_grader,
    figures,
    nbgrader_course,
    report,
    runs,
    synthetic_class,
)
from benchmarks.runs import REPO, RunSettings

DEFAULT_OUT = REPO / "benchmarks" / "results"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.grading_speed", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--students",
        type=int,
        default=10,
        help="class size graded by both graders (default: %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fast-grader runs of that class (default: %(default)s)",
    )
    parser.add_argument(
        "--nbgrader-repeats",
        type=int,
        default=1,
        help="nbgrader runs of that class, ~10 s per student (default: %(default)s)",
    )
    parser.add_argument(
        "--scales",
        default="10,100,500,2000",
        help="class sizes for the fast grader alone (default: %(default)s; '' for none)",
    )
    parser.add_argument("--skip-nbgrader", action="store_true", help="measure the fast grader only")
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="seconds per cell and question, for every grader (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="the fast grader's --workers (default: its own, the cores)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the class mix")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for grading_speed.json and .png (default: %(default)s)",
    )
    parser.add_argument(
        "--keep-workdir",
        action="store_true",
        help="keep the classes, course copies and reports (path is printed)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    scales = sorted({int(n) for n in args.scales.split(",") if n.strip()})
    if args.students < 2 or args.repeats < 1 or any(n < 1 for n in scales):
        print("error: --students >= 2, --repeats >= 1 and positive scales", file=sys.stderr)
        return 2
    with runs.work_folder("grading-speed-", keep=args.keep_workdir) as workdir:
        settings = RunSettings(timeout=args.timeout, workers=args.workers, workdir=workdir)
        result = run_benchmark(
            students=args.students,
            repeats=args.repeats,
            nbgrader_repeats=0 if args.skip_nbgrader else args.nbgrader_repeats,
            scales=scales,
            seed=args.seed,
            settings=settings,
        )
    print(report.render(result))
    paths = report.write(result, args.out)
    print("\n".join(f"wrote {path}" for path in paths))
    return 0


def run_benchmark(
    *,
    students: int,
    repeats: int,
    nbgrader_repeats: int,
    scales: list[int],
    seed: int,
    settings: RunSettings,
) -> dict:
    work = settings.workdir
    variants = synthetic_class.all_variants()
    plan = synthetic_class.class_plan(students, variants, seed=seed)
    hanging = [s for s, v in plan.items() if v.kind == synthetic_class.HANG]
    no_hang = {s: v for s, v in plan.items() if s not in hanging}
    cache = work / "variants"
    full_dir = synthetic_class.build_class(work / "class", plan, cache=cache)
    no_hang_dir = synthetic_class.build_class(work / "class-no-hang", no_hang, cache=cache)
    result = {
        "schema": "derivatives-grading-speed/1",
        "machine": report.machine(),
        "settings": runs.as_dict(settings)
        | {"repeats": repeats, "seed": seed, "nbgrader_repeats": nbgrader_repeats},
        "class": {
            "students": students,
            "variants": {s: v.name for s, v in plan.items()},
            "honest": [s for s, v in plan.items() if v.honest],
            "hanging": hanging,
        },
        "graders": {"fast": measure_fast(full_dir, no_hang_dir, plan, hanging, repeats, settings)},
    }
    engines = [nbgrader_course.STOCK]
    if nbgrader_course.project_plugs_in_isolated_engine(REPO):
        engines.append(nbgrader_course.ISOLATED)
    for engine in engines if nbgrader_repeats else []:
        result["graders"][f"nbgrader_{engine}"] = measure_nbgrader(
            full_dir, students, hanging, nbgrader_repeats, engine, settings
        )
    result["scaling"] = measure_scaling(scales, variants, cache, seed, settings)
    comparison.compare_graders(result)
    fast_scores = result["graders"]["fast"]["scores"]
    result["corpus_expectations"] = comparison.unexpected_scores(fast_scores, plan)
    result["targets"] = figures.evaluate_targets(result)
    return result


def measure_fast(
    full_dir: Path,
    no_hang_dir: Path,
    plan: dict,
    hanging: list[str],
    repeats: int,
    settings: RunSettings,
) -> dict:
    full, without = [], []
    for repeat in range(repeats):
        progress(f"fast grader, repeat {repeat + 1}/{repeats}: class of {len(plan)}")
        full.append(
            runs.fast_run(full_dir, settings.workdir / f"fast-{repeat}", len(plan), settings)
        )
        progress(f"fast grader, repeat {repeat + 1}/{repeats}: same class without the hang")
        without.append(
            runs.fast_run(
                no_hang_dir,
                settings.workdir / f"fast-no-hang-{repeat}",
                len(plan) - len(hanging),
                settings,
            )
        )
    outs = [settings.workdir / f"fast-{r}" for r in range(repeats)]
    scores = fast_grader.read_scores(outs[0])
    return {
        "label": "python -m autograders grade",
        "runs": full,
        "no_hang_runs": without,
        **grader_figures(full, [r["ms_per_student"] for r in without]),
        "scores": scores,
        "statuses": fast_grader.read_statuses(outs[0]),
        "repeatable": all(fast_grader.read_scores(out) == scores for out in outs[1:]),
        "no_hang_scores": fast_grader.read_scores(settings.workdir / "fast-no-hang-0"),
        "hanging_student_seconds": {s: fast_grader.execution_seconds(outs[0], s) for s in hanging},
        "finish_times": fast_grader.finish_times(outs[0]),
    }


def measure_nbgrader(
    full_dir: Path,
    students: int,
    hanging: list[str],
    repeats: int,
    engine: str,
    settings: RunSettings,
) -> dict:
    summaries, excluding, seconds, scores = [], [], {}, {}
    for repeat in range(repeats):
        progress(
            f"nbgrader autograde ({engine}), repeat {repeat + 1}/{repeats}: class of "
            f"{students} (about 10 s per student)"
        )
        course = settings.workdir / f"course-{engine}-{repeat}"
        summary, seconds, scores = runs.nbgrader_run(
            full_dir, course, students, engine=engine, settings=settings
        )
        summaries.append(summary)
        hang_seconds = sum(seconds.get(s, 0.0) for s in hanging)
        excluding.append(
            1000 * (summary["wall_seconds"] - hang_seconds) / (students - len(hanging))
        )
    return {
        "label": f"nbgrader autograde ({engine})",
        "runs": summaries,
        **grader_figures(summaries, excluding),
        "student_seconds": seconds,
        "scores": scores,
    }


def grader_figures(summaries: list[dict], excluding_hang_ms: list[float]) -> dict:
    return {
        "wall_seconds": figures.spread([r["wall_seconds"] for r in summaries]),
        "ms_per_student": figures.spread([r["ms_per_student"] for r in summaries]),
        "ms_per_student_excluding_hang": figures.spread(excluding_hang_ms),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in summaries),
        "peak_pss_bytes": max(r["peak_pss_bytes"] for r in summaries),
    }


def measure_scaling(
    scales: list[int], variants: dict, cache: Path, seed: int, settings: RunSettings
) -> dict:
    points = []
    for n in scales:
        progress(f"fast grader alone: class of {n} (no hanging submission)")
        plan = synthetic_class.class_plan(n, variants, with_hang=False, seed=seed)
        class_dir = synthetic_class.build_class(settings.workdir / f"scale-{n}", plan, cache=cache)
        points.append(runs.fast_run(class_dir, settings.workdir / f"scale-{n}-out", n, settings))
        shutil.rmtree(class_dir, ignore_errors=True)
        shutil.rmtree(settings.workdir / f"scale-{n}-out", ignore_errors=True)
    fit = figures.linear_fit([p["students"] for p in points], [p["wall_seconds"] for p in points])
    return {"points": points, "fit": fit}


def progress(message: str) -> None:
    print(f"[grading_speed] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
