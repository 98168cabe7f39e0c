"""The project's fast grader as the benchmark runs it: `python -m autograders grade`, in a
subprocess, and what it wrote (grades.csv, each student's results.json) read back as data.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from autograders import problems

RELEASE = Path(__file__).resolve().parents[1] / "release" / problems.ASSIGNMENT


def release_options() -> list[str]:
    """The project's release folder, named explicitly: the graders run in scratch folders,
    where `grade`'s default (release/<assignment> in the working directory) finds none, and
    an instructor grades in the course folder, where it does (its leading cells run once)."""
    return ["--release", str(RELEASE)] if RELEASE.is_dir() else []


def grade_command(
    submitted: Path, out: Path, *, timeout: float, workers: int | None = None
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "autograders",
        "grade",
        str(submitted),
        "--out",
        str(out),
        "--timeout",
        f"{timeout:g}",
    ]
    command += release_options()
    return command + (["--workers", str(workers)] if workers else [])


def read_scores(out: Path) -> dict[str, dict[str, float]]:
    """student id -> question id -> points, from grades.csv (an empty cell is not graded)."""
    with (out / "grades.csv").open(newline="", encoding="utf-8") as file:
        return {
            row["student_id"]: {q: float(row[q]) for q in problems.QUESTION_IDS if row[q]}
            for row in csv.DictReader(file)
        }


def read_statuses(out: Path) -> dict[str, str]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as file:
        return {row["student_id"]: row["status"] for row in csv.DictReader(file)}


def execution_seconds(out: Path, student: str) -> float | None:
    """The grader's own time for one student (results.json rounds it to whole seconds)."""
    path = out / student / "results.json"
    if not path.is_file():
        return None
    return float(json.loads(path.read_text(encoding="utf-8"))["execution_time"])


def finish_times(out: Path) -> dict[str, float]:
    """When each student's results.json was written (the grader writes it as soon as that
    student is done), in seconds after the first one."""
    times = {path.parent.name: path.stat().st_mtime for path in out.glob("*/results.json")}
    first = min(times.values(), default=0.0)
    return {student: at - first for student, at in sorted(times.items(), key=lambda kv: kv[1])}
