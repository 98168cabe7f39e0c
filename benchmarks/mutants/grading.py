"""Grade mutants through the real grader: one student folder per mutant, one CLI run.

Each mutant's student holds only the notebook of its question: the release notebook filled
with the instructor's answers, the mutated answer in its own cell. The other notebooks are
absent ("not gradable", which costs only their own questions), so a class of hundreds of
mutants grades in minutes. A control student, `solution`, holds all three notebooks with the
unchanged answers and must get full marks, or the run proves nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograders.authoring.fill import fill_answers
from benchmarks.mutants.generate import Mutant
from benchmarks.mutants.solutions import Answers, points
from tests.corpus.build import RELEASE
from tests.corpus.spec import ASSIGNMENT, NOTEBOOK_OF, NOTEBOOKS, QUESTIONS_OF

CONTROL = "solution"
MAX_ID = 64  # the grader refuses longer student ids (autograders/student_ids.py)


@dataclass(frozen=True)
class Graded:
    score: float | None  # points on the mutant's own question; None when not graded
    status: str  # the grades.csv status column
    message: str = ""  # the grader's first failure message on that question, when it failed

    def caught(self, question: str) -> bool:
        return self.score is not None and self.score < points(question)


def build_class(answers: Answers, mutants: Sequence[Mutant], submitted: Path) -> Path:
    """SUBMITTED/<mutant id>/derivatives/<its notebook>.ipynb, and the control student."""
    for notebook in NOTEBOOKS:
        _fill(answers, notebook, {}, submitted / CONTROL)
    for mutant in mutants:
        notebook = NOTEBOOK_OF[mutant.question]
        student = submitted / student_id(mutant)
        _fill(answers, notebook, {mutant.question: mutant.source}, student)
    return submitted


def student_id(mutant: Mutant) -> str:
    """The mutant's id, shortened with a digest when the grader would refuse its length."""
    if len(mutant.id) <= MAX_ID:
        return mutant.id
    digest = hashlib.sha1(mutant.id.encode()).hexdigest()[:8]
    return f"{mutant.id[: MAX_ID - 9]}-{digest}"


def _fill(answers: Answers, notebook: str, changed: dict[str, str], student: Path) -> None:
    cells = {q: changed.get(q, answers.solutions[q]) for q in QUESTIONS_OF[notebook]}
    release = RELEASE / f"{notebook}.ipynb"
    fill_answers(release, cells, student / ASSIGNMENT / f"{notebook}.ipynb")


def grade(submitted: Path, out: Path, *, workers: int, seed: int, log: Path) -> int:
    """Run `python -m autograders grade` on the class; its exit code (stderr goes to log)."""
    command = [sys.executable, "-m", "autograders", "grade", str(submitted), "--out", str(out)]
    command += ["--workers", str(workers), "--seed", str(seed)]
    with log.open("w", encoding="utf-8") as stderr:
        return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=stderr).returncode


def read_grades(out: Path) -> dict[str, dict[str, str]]:
    """student id -> its grades.csv row."""
    with (out / "grades.csv").open(newline="", encoding="utf-8") as file:
        return {row["student_id"]: row for row in csv.DictReader(file)}


def verdicts(
    rows: dict[str, dict[str, str]], mutants: Sequence[Mutant], out: Path
) -> dict[str, Graded]:
    found = {}
    for mutant in mutants:
        row = rows.get(student_id(mutant), {})
        cell = row.get(mutant.question, "")
        message = _first_failure(out / student_id(mutant) / "results.json", mutant.question)
        found[mutant.id] = Graded(
            float(cell) if cell else None, row.get("status", "no row"), message
        )
    return found


def _first_failure(results: Path, question: str) -> str:
    """What the student report says first about a lost point on question (Gradescope tests
    are tagged with their question id)."""
    if not results.is_file():
        return ""
    tests = json.loads(results.read_text(encoding="utf-8")).get("tests", [])
    failed = [
        t
        for t in tests
        if question in t.get("tags", []) and t.get("score", 0) < t.get("max_score", 0)
    ]
    return str(failed[0].get("output", ""))[:300] if failed else ""


def control_problems(rows: dict[str, dict[str, str]]) -> list[str]:
    """Why the control student's row is not full marks (empty when it is)."""
    row = rows.get(CONTROL)
    if row is None:
        return ["the control student has no row"]
    return [
        f"the unchanged solution got {row[q] or 'nothing'} of {points(q):g} on {q}"
        for q in NOTEBOOK_OF
        if not row[q] or float(row[q]) < points(q)
    ]
