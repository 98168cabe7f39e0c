"""grades.csv written by its own thread: the newest results win, close() writes what waits,
and no partial file is left behind."""

from __future__ import annotations

import csv
from pathlib import Path

from autograders import problems
from autograders.results import CheckResult, StudentResult
from autograders.watch.grades_file import GradesFile


def result(student_id: str, points: float) -> StudentResult:
    question = problems.QUESTION_IDS[0]
    check = CheckResult(f"{question}_test", question, "derivatives", "t", points, 2.0, "", "", "")
    return StudentResult(student_id, seeds={"derivatives": 7}, checks=[check], seconds=0.1)


def rows(out: Path) -> dict[str, str]:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as handle:
        return {row["student_id"]: row["total"] for row in csv.DictReader(handle)}


def test_close_writes_the_newest_results_handed_over(tmp_path: Path) -> None:
    grades = GradesFile(tmp_path, every=3600)  # one write at most before close: the first
    for count in range(1, 51):
        grades.update([result(f"s{n:02d}", n % 3) for n in range(count)])
    grades.close()
    written = rows(tmp_path)
    assert len(written) == 50 and written["s49"] == "1"
    assert not (tmp_path / ".grades.csv.partial").exists()


def test_nothing_handed_over_writes_nothing(tmp_path: Path) -> None:
    GradesFile(tmp_path).close()
    assert not (tmp_path / "grades.csv").exists()
