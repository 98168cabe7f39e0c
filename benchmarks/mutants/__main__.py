"""python -m benchmarks.mutants [--seed S] [--workers N] [--per-question N] [--questions Q ...]

Generate mutants of the instructor's answers, set aside the equivalent ones, grade the rest
with `python -m autograders grade`, print the figures and write benchmarks/results/mutants.json
(see benchmarks/README.md for what each figure means).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.mutants import grading, report
from benchmarks.mutants.equivalence import judge_all
from benchmarks.mutants.generate import all_mutants, sample
from benchmarks.mutants.solutions import Answers

RESULTS = Path(__file__).resolve().parents[1] / "results" / "mutants.json"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.mutants",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=0, help="mutants, battery and grader seed")
    parser.add_argument("--workers", type=int, default=2, help="processes at once (default 2)")
    parser.add_argument(
        "--per-question",
        type=int,
        default=0,
        help="a seeded sample of about N mutants per question, every operator "
        "kept (default: all mutants)",
    )
    parser.add_argument("--questions", nargs="*", default=None, help="only these questions")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="keep the class and the grader's reports in this folder",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    answers = Answers.read()
    mutants = all_mutants(answers.solutions, args.seed, args.questions)
    if args.per_question:
        mutants = sample(mutants, args.per_question, args.seed)
    judged = judge_all(answers, mutants, args.workers, args.seed)
    seconds["equivalence"] = time.monotonic() - started
    to_grade = [m for m in mutants if not judged[m.id].equivalent]
    with tempfile.TemporaryDirectory(prefix="mutants-class-") as scratch:
        work = args.work or Path(scratch)
        started = time.monotonic()
        submitted = grading.build_class(answers, to_grade, work / "submitted")
        log = work / "grader.log"
        code = grading.grade(submitted, work / "out", workers=args.workers, seed=args.seed, log=log)
        if not (work / "out" / "grades.csv").is_file():
            raise SystemExit(
                f"the grader wrote no grades.csv (exit {code}):\n{log.read_text()[-3000:]}"
            )
        rows = grading.read_grades(work / "out")
        graded = grading.verdicts(rows, to_grade, work / "out")
        seconds["grading"] = time.monotonic() - started
    return report.document(
        report.mutant_rows(mutants, judged, graded),
        seed=args.seed,
        seconds=seconds,
        control=grading.control_problems(rows),
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    data = run(args)
    report.write(args.json, data)
    print(report.printed(data))
    print(f"wrote {args.json}", file=sys.stderr)
    return 1 if data["control_problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
