"""The grader is at least as strict as the instructor's own tests, and the visible tests accept
honest work that the grader accepts.

Every honest, mistaken ("mistakes", "strict") and "jupyter" submission of the corpus is judged
twice: by the source notebooks' test cells (visible and hidden regions, whatever `source/`
holds now) in a real Jupyter kernel, as nbgrader runs them; and by `python -m autograders
grade`. It is a failure when
  (a) a test cell fails in the kernel where the grader gives that check full points (the
      grader is weaker than the notebook), or
  (b) honest work fails a visible test (hidden regions stripped) that the grader passes (the
      student was told "wrong" for work the grader accepts).
Each failure names the submission, the check and the notebook's error.

Identical notebooks run once; one kernel per notebook serves all its submissions, while the
grader grades the class in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograders import problems
from tests.corpus import CATEGORIES
from tests.corpus.build import SOURCE, build_class
from tests.differential.notebooks import (
    NotebookKernel,
    Outcome,
    copy_notebook,
    overwritten_cells,
    source_tests,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SEED = 7
# "strict": the mistakes that pass a grader checking only what the examples check.
MISTAKEN = ("mistakes", "strict", "jupyter")
SUBMISSIONS = CATEGORIES["honest"] + [s for c in MISTAKEN for s in CATEGORIES.get(c, [])]
HONEST = {s.name for s in CATEGORIES["honest"] + CATEGORIES["jupyter"] if not s.expected}
TEST_ID_OF_TITLE = {check.title: test_id for test_id, check in problems.CHECKS.items()}


@dataclass
class Judged:
    kernel: dict[str, Outcome]  # student -> the instructor's tests' verdicts (all notebooks)
    grader: dict[str, dict[str, tuple[float, float]]]  # student -> test id -> (score, max)
    grader_log: str


def run_grader(submitted: Path, out: Path, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "autograders", "grade", str(submitted), "--out", str(out)]
    options = ["--workers", "2", "--seed", str(SEED), "--timeout", "10"]
    with log.open("w") as handle:
        return subprocess.Popen(command + options, cwd=ROOT, stdout=handle, stderr=handle)


def run_notebook_tests(name: str, submitted: Path, scratch: Path) -> dict[str, Outcome]:
    """student -> what the source's tests of notebook `name` said, one kernel for all."""
    tests = source_tests(SOURCE / f"{name}.ipynb")
    distinct: dict[tuple, list[str]] = {}
    for submission in SUBMISSIONS:
        path = submitted / submission.name / problems.ASSIGNMENT / f"{name}.ipynb"
        key = (path.read_bytes(),)  # the same file, the same verdicts
        distinct.setdefault(key, []).append(submission.name)
    notebook_kernel = NotebookKernel(scratch)
    verdicts = {}
    try:
        for number, students in enumerate(distinct.values()):
            path = submitted / students[0] / problems.ASSIGNMENT / f"{name}.ipynb"
            folder = copy_notebook(path, scratch / f"{name}-{number}")
            outcome = notebook_kernel.run(name, overwritten_cells(path, tests), folder)
            verdicts.update(dict.fromkeys(students, outcome))
    finally:
        notebook_kernel.close()
    return verdicts


def read_grades(out: Path) -> dict[str, dict[str, tuple[float, float]]]:
    grades = {}
    for submission in SUBMISSIONS:
        results = json.loads((out / submission.name / "results.json").read_text())
        grades[submission.name] = {
            TEST_ID_OF_TITLE[test["name"]]: (float(test["score"]), float(test["max_score"]))
            for test in results["tests"]
            if test["name"] in TEST_ID_OF_TITLE
        }
    return grades


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Judged:
    base = tmp_path_factory.mktemp("differential")
    submitted = build_class(base / "submitted", SUBMISSIONS)
    log = base / "grader.log"
    grader = run_grader(submitted, base / "out", log)
    try:
        with ThreadPoolExecutor(len(problems.NOTEBOOKS)) as pool:
            futures = [
                pool.submit(run_notebook_tests, name, submitted, base / "kernels" / name)
                for name in problems.NOTEBOOKS
            ]
            per_notebook = [future.result() for future in futures]
        grader.wait(timeout=900)
    finally:
        if grader.poll() is None:
            grader.kill()
    kernel = {}
    for submission in SUBMISSIONS:
        merged = Outcome()
        for verdicts in per_notebook:
            merged.visible.update(verdicts[submission.name].visible)
            merged.full.update(verdicts[submission.name].full)
        kernel[submission.name] = merged
    assert grader.returncode == 0, log.read_text()[-3000:]
    return Judged(kernel, read_grades(base / "out"), log.read_text())


def test_every_check_was_judged_by_both(judged: Judged) -> None:
    """Each registry check has a test cell in the source, run for every submission, and a
    grade; and the reference solution passes every test cell in the kernel (so the kernel
    side really runs the tests and imports what they need)."""
    for student, outcome in judged.kernel.items():
        assert set(outcome.full) == set(problems.CHECKS), student
        assert set(judged.grader[student]) == set(problems.CHECKS), student
    failing = {t: e for t, e in judged.kernel["solution"].full.items() if e}
    assert not failing, f"the instructor's solution fails its own tests: {failing}"


def test_no_test_cell_fails_where_the_grader_gives_full_points(judged: Judged) -> None:
    weaker = []
    for student, outcome in judged.kernel.items():
        for test_id, error in sorted(outcome.full.items()):
            score, points = judged.grader[student][test_id]
            if error and score == points:
                weaker.append(f"{student} / {test_id}: the notebook's test fails ({error})")
    assert not weaker, (
        f"the grader gives full points where the notebook's tests fail ({len(weaker)}):\n"
        + "\n".join(weaker)
    )


def test_honest_work_passes_the_visible_tests_the_grader_passes(judged: Judged) -> None:
    rejected = []
    for student in sorted(HONEST):
        for test_id, error in sorted(judged.kernel[student].visible.items()):
            score, points = judged.grader[student][test_id]
            if error and score == points:
                rejected.append(f"{student} / {test_id}: the visible test fails ({error})")
    assert not rejected, "visible tests reject honest work that the grader accepts:\n" + "\n".join(
        rejected
    )
