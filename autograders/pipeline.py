"""Grade one student: read, sanitize, execute in the sandbox, judge, collect.

    read + sanitize   submission.load_notebook     JSON only; test cells dropped (cells_to_run)
    make trials       problems registry             hidden inputs from the attempt's seed
    execute           sandbox.host.session          cells, then the questions, in a child, on a
                                                    free slot (a student's notebooks at once; the
                                                    release's leading cells: once per slot)
    judge             problems.base.judge           plain data against float64 references
    collect           results.CheckResult           one per check, even when nothing ran

Order matters: trials are made before the sandbox starts, so the child receives inputs only;
judging happens after the child is gone, in this process, so nothing the student's code does
can reach the comparison. A notebook that cannot be read still yields a zero row per check.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from autograders import problems, static
from autograders.course_secret import notebook_seed
from autograders.graded_notebook import NotebookView, notebook_view
from autograders.hints import hint_for_error
from autograders.problems.base import Problem, Trial, Verdict, judge
from autograders.results import GRADED, CheckResult, StudentResult
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.host.session import NotebookRun, Question, run_notebook
from autograders.settings import Settings
from autograders.submission import NotebookCells, NotGradable, cells_to_run, load_notebook

T = TypeVar("T")


def grade_student(
    student_id: str, folder: Path, sandbox: Sandbox, settings: Settings
) -> StudentResult:
    """Grade every notebook of one student; the notebooks run at once on the sandbox's free
    slots."""
    started = time.monotonic()
    result = StudentResult(student_id)
    secret = settings.secret()  # here, once: made on first use, which one thread must do

    def grade(notebook: str) -> _NotebookOutcome:
        return _grade_one(notebook, folder, student_id, secret, sandbox, settings)

    graded = _map_concurrently(grade, problems.NOTEBOOKS)
    for notebook, outcome in zip(problems.NOTEBOOKS, graded, strict=True):
        result.checks += outcome.checks
        result.notebooks[notebook] = outcome.status
        if outcome.seed is not None:
            result.seeds[notebook] = outcome.seed
        if outcome.view is not None:
            result.views[notebook] = outcome.view  # for feedback.html only
        result.sandbox_warnings += [w for w in outcome.warnings if w not in result.sandbox_warnings]
    result.seconds = time.monotonic() - started
    return result


@dataclass
class _NotebookOutcome:
    checks: list[CheckResult]
    status: str  # GRADED, or why the notebook could not be graded
    seed: int | None = None
    view: NotebookView | None = None
    warnings: list[str] = field(default_factory=list)


def _grade_one(
    notebook: str,
    folder: Path,
    student_id: str,
    secret: bytes,
    sandbox: Sandbox,
    settings: Settings,
) -> _NotebookOutcome:
    notebook_problems = problems.for_notebook(notebook)
    try:
        every_cell = load_notebook(folder / f"{notebook}.ipynb")["cells"]
    except NotGradable as reason:
        return _NotebookOutcome(
            unanswered(notebook_problems, f"{notebook}.ipynb: {reason}"), str(reason)
        )
    cells = cells_to_run(every_cell)
    seed = attempt_seed(secret, student_id, notebook, cells)
    outputs: dict[int, dict] = {}
    warnings: list[str] = []
    checks = grade_notebook(
        cells, notebook_problems, sandbox, settings, seed, warnings, cell_outputs=outputs
    )
    return _NotebookOutcome(checks, GRADED, seed, notebook_view(every_cell, outputs), warnings)


def _map_concurrently(function: Callable[[str], T], items: Sequence[str]) -> list[T]:
    """`function` over `items`, the first in this thread and the others in threads of their
    own (they mostly wait for a slot, then for the sandbox); results in order."""
    if len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(len(items) - 1, thread_name_prefix="notebook") as others:
        later = [others.submit(function, item) for item in items[1:]]
        first = function(items[0])
        return [first, *(future.result() for future in later)]


def attempt_seed(secret: bytes, student_id: str, notebook: str, cells: NotebookCells) -> int:
    """The seed of this notebook's hidden inputs: new for changed code, the same for the same."""
    return notebook_seed(secret, student_id, notebook, [cell["source"] for cell in cells.cells])


def grade_notebook(
    cells: NotebookCells,
    notebook_problems: tuple[Problem, ...],
    sandbox: Sandbox,
    settings: Settings,
    seed: int,
    warnings: list[str] | None = None,
    cell_outputs: dict[int, dict] | None = None,
) -> list[CheckResult]:
    """The verdict of every check of the notebook's problems; sandbox warnings are appended
    to `warnings` when given, and each cell's report (index -> {"ok", "error", "outputs"},
    plain data, see `sandbox.messages.CellReport`) is put in `cell_outputs` when given."""
    trials = {
        check.test_id: check.make_trial(random.Random(f"{seed}:{check.test_id}"))
        for problem in notebook_problems
        for check in problem.checks
    }
    # Static probes are answered here from the cells' text; only the rest go to the child.
    questions = [
        Question(
            p.question_id,
            [
                {"test_id": c.test_id, "probes": static.child_probes(trials[c.test_id].probes)}
                for c in p.checks
            ],
        )
        for p in notebook_problems
    ]
    # The release's unchanged leading cells run once per slot, not once per student.
    prefix = (
        settings.release.prefix_of(notebook_problems[0].notebook, cells.cells)
        if (settings.release and notebook_problems)
        else None
    )
    with sandbox.slots.held() as slot:  # only while the notebook runs: judging needs none
        run = run_notebook(sandbox, slot, cells.cells, questions, settings.timeouts, prefix)
    sources = [cell["source"] for cell in cells.cells]
    if warnings is not None:
        warnings += [warning for warning in run.warnings if warning not in warnings]
    if cell_outputs is not None:
        cell_outputs.update(run.cells)
    results = []
    for problem in notebook_problems:
        for check in problem.checks:
            verdict = _verdict(run, check.test_id, trials[check.test_id], sources)
            verdict = _explain_answer_cell(verdict, run, cells, problem.question_id)
            results.append(
                CheckResult(
                    check.test_id,
                    problem.question_id,
                    problem.notebook,
                    check.title,
                    check.points if verdict.passed else 0.0,
                    check.points,
                    verdict.message,
                    verdict.hint,
                    run.answers.get(check.test_id, {}).get("output", ""),
                )
            )
    return results


def _verdict(run: NotebookRun, test_id: str, trial: Trial, sources: list[str]) -> Verdict:
    if test_id in run.failures:
        return Verdict(
            False,
            f"Your code did not finish this check: {run.failures[test_id]}.",
            "Look for an endless loop, a crash or an exit in this answer.",
        )
    return judge(
        trial,
        static.merged_answers(trial.probes, run.answers.get(test_id, {}).get("answers"), sources),
    )


def _explain_answer_cell(
    verdict: Verdict, run: NotebookRun, cells: NotebookCells, question_id: str
) -> Verdict:
    """Say so when the answer cell itself failed: that is usually the real cause."""
    index = cells.answer_cells.get(question_id)
    if verdict.passed or index is None:
        return verdict
    if index in run.fatal_cells:
        why = f"Your answer cell for {question_id} stopped the notebook ({run.fatal_cells[index]})."
        return Verdict(False, f"{why} {verdict.message}", verdict.hint)
    cell = run.cells.get(index)
    if cell and not cell["ok"] and isinstance(cell.get("error"), dict):
        error = cell["error"]
        kind, text = str(error.get("type")), str(error.get("message"))[:200]
        why = f"Your answer cell for {question_id} raised {kind}: {text}."
        hint = hint_for_error(kind, text) or verdict.hint
        return Verdict(False, f"{why} {verdict.message}", hint)
    return verdict


def unanswered(notebook_problems: tuple[Problem, ...], reason: str) -> list[CheckResult]:
    return [
        CheckResult(
            check.test_id,
            problem.question_id,
            problem.notebook,
            check.title,
            0.0,
            check.points,
            f"Not graded: {reason}.",
        )
        for problem in notebook_problems
        for check in problem.checks
    ]
