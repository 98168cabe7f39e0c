"""Jupyter fidelity: what a notebook does in JupyterLab, it does in the sandbox.

Every honest submission of the corpus (and every "jupyter" one, right or wrong) runs twice:
in a real kernel (nbclient + ipykernel, the inline backend, the notebook's own folder), then
the grader's questions in that kernel through the child's own code; and in the sandbox
(`autograders.sandbox.host.session.run_notebook`), with the same cells and the same trials (one
fixed seed). The two must agree on which cells fail, on how many images (figures) each cell
shows, and on every answer, check by check.

Identical notebooks (most submissions change one answer) run once. Kernels run two at a time
while the sandbox grades in this thread.
"""

from __future__ import annotations

import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograders import problems, static
from autograders.problems.base import Trial
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.host.session import NotebookRun, Question, Timeouts, run_notebook
from autograders.sandbox.limits import Limits
from autograders.sandbox.messages import images_in
from autograders.submission import read_notebook
from tests.corpus import CATEGORIES
from tests.corpus.build import build_class
from tests.fidelity import kernel

pytestmark = pytest.mark.slow

SEED = 7
KERNELS_AT_ONCE = 2
SUBMISSIONS = [s for s in CATEGORIES["honest"] if not s.expected] + CATEGORIES["jupyter"]


@dataclass
class Notebook:
    """One distinct notebook: the cells the sandbox runs, and who submitted it."""

    name: str
    path: Path
    cells: list[dict]  # [{"index", "source"}] as `read_notebook` gives them to the sandbox
    students: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    notebook: Notebook
    kernel_errors: list[str | None]  # per cell of `cells`
    kernel_images: list[int]  # per cell of `cells`: the figures it showed
    kernel_answers: dict[str, list | None]  # test id -> answers
    sandbox: NotebookRun


def distinct_notebooks(submitted: Path) -> list[Notebook]:
    found: dict[tuple[str, tuple[str, ...]], Notebook] = {}
    for submission in SUBMISSIONS:
        for name in problems.NOTEBOOKS:
            path = submitted / submission.name / problems.ASSIGNMENT / f"{name}.ipynb"
            cells = read_notebook(path).cells
            key = (name, tuple(cell["source"] for cell in cells))
            found.setdefault(key, Notebook(name, path, cells)).students.append(submission.name)
    return list(found.values())


def trials_for(name: str) -> dict[str, Trial]:
    """The trials of the notebook's checks, drawn from the fixed seed as the pipeline draws
    them from a student's seed; static probes (answered from the text) are left out."""
    trials = {}
    for problem in problems.for_notebook(name):
        for check in problem.checks:
            trial = check.make_trial(random.Random(f"{SEED}:{check.test_id}"))
            trials[check.test_id] = trial
    return trials


def child_probes(trial: Trial) -> list[dict]:
    """The probes the sandbox child answers: the grader answers static ones itself."""
    return static.child_probes(trial.probes)


def run_in_kernel(notebook: Notebook, scratch: Path) -> tuple[list, list, dict]:
    """Cell errors, image counts and answers from a fresh kernel in a folder holding only the
    notebook."""
    folder = scratch / f"{notebook.students[0]}-{notebook.name}"
    folder.mkdir(parents=True)
    shutil.copy(notebook.path, folder)
    trials = trials_for(notebook.name)
    sources = [cell["source"] for cell in notebook.cells]
    asks = [kernel.ask_cell(child_probes(trial)) for trial in trials.values()]
    done = kernel.execute(kernel.notebook(sources + asks), folder)
    cells = done.cells[: len(sources)]
    answers = dict(zip(trials, map(kernel.answers_of, done.cells[len(sources) :]), strict=True))
    return [kernel.error_of(cell) for cell in cells], [kernel.images_of(c) for c in cells], answers


def run_in_sandbox(sandbox: Sandbox, notebook: Notebook) -> NotebookRun:
    trials = trials_for(notebook.name)
    questions = [
        Question(
            problem.question_id,
            [
                {"test_id": c.test_id, "probes": child_probes(trials[c.test_id])}
                for c in problem.checks
            ],
        )
        for problem in problems.for_notebook(notebook.name)
    ]
    return run_notebook(sandbox, 0, notebook.cells, questions, Timeouts())


@pytest.fixture(scope="module")
def comparisons(tmp_path_factory: pytest.TempPathFactory) -> list[Comparison]:
    base = tmp_path_factory.mktemp("fidelity")
    submitted = build_class(base / "submitted", SUBMISSIONS)
    notebooks = distinct_notebooks(submitted)
    with ThreadPoolExecutor(KERNELS_AT_ONCE) as pool:
        in_kernels = [pool.submit(run_in_kernel, nb, base / "kernels") for nb in notebooks]
        with Sandbox(Limits(), workers=1) as sandbox:
            in_sandbox = [run_in_sandbox(sandbox, nb) for nb in notebooks]
        results = [future.result() for future in in_kernels]
    return [
        Comparison(nb, errors, images, answers, run)
        for nb, (errors, images, answers), run in zip(notebooks, results, in_sandbox, strict=True)
    ]


def describe(comparison: Comparison) -> list[str]:
    """What differs between the kernel and the sandbox, in words."""
    notebook, run = comparison.notebook, comparison.sandbox
    found = []
    kernel_cells = zip(comparison.kernel_errors, comparison.kernel_images, strict=True)
    for cell, (kernel_error, kernel_images) in zip(notebook.cells, kernel_cells, strict=True):
        reported = run.cells.get(cell["index"])
        sandbox_error = None if reported and reported["ok"] else _error_type(reported)
        if kernel_error != sandbox_error:
            found.append(
                f"cell {cell['index']}: kernel {kernel_error or 'ok'}, "
                f"sandbox {sandbox_error or 'ok'}: {cell['source'][:80]!r}"
            )
        sandbox_images = images_in(reported["outputs"]) if reported else 0
        if kernel_images != sandbox_images:
            found.append(
                f"cell {cell['index']}: kernel {kernel_images} images, "
                f"sandbox {sandbox_images}: {cell['source'][:80]!r}"
            )
    for test_id, kernel_answers in comparison.kernel_answers.items():
        if test_id in run.failures:
            found.append(f"{test_id}: the sandbox has no answer ({run.failures[test_id]})")
            continue
        sandbox_answers = run.answers.get(test_id, {}).get("answers")
        found += [f"{test_id}{d}" for d in kernel.differences(kernel_answers, sandbox_answers)]
    return found


def _error_type(reported: dict | None) -> str:
    if not reported:
        return "not run"
    return str((reported.get("error") or {}).get("type", "error"))


@pytest.mark.parametrize("name", problems.NOTEBOOKS)
def test_the_sandbox_answers_as_a_real_kernel(comparisons: list[Comparison], name: str) -> None:
    failures = []
    for comparison in comparisons:
        if comparison.notebook.name == name:
            found = describe(comparison)
            if found:
                students = ", ".join(comparison.notebook.students)
                failures.append(f"{name}.ipynb of {students}:\n  " + "\n  ".join(found[:8]))
    assert not failures, "the sandbox differs from Jupyter:\n" + "\n".join(failures)


def test_the_kernel_answered_every_check(comparisons: list[Comparison]) -> None:
    """The reference side worked: no check of any notebook went unanswered in the kernel."""
    missing = [
        f"{c.notebook.name} of {c.notebook.students[0]}: {test_id}"
        for c in comparisons
        for test_id, answers in c.kernel_answers.items()
        if answers is None
    ]
    assert not missing


def test_the_kernel_closes_figures_as_jupyter_does(comparisons: list[Comparison]) -> None:
    """The reference really is Jupyter's inline backend: `plt.show()` then `plt.gcf()` gives
    an empty figure there (and so, by the comparison above, in the sandbox)."""
    (shown,) = [
        c
        for c in comparisons
        if c.notebook.name == "derivatives" and "jupyter_show_then_gcf" in c.notebook.students
    ]
    plots = [
        answer["value"]
        for test_id, answers in shown.kernel_answers.items()
        if test_id.startswith("plot_derivative")
        for answer in answers or []
        if answer.get("ok") and answer.get("value", {}).get("type") == "figure"
    ]
    assert plots and all(figure["axes"] == [] for figure in plots)


def test_the_kernel_showed_figures(comparisons: list[Comparison]) -> None:
    """The image comparison above is not empty: in the kernel, the worked example's cell
    shows its figure in every notebook that has it."""
    shown = [c for c in comparisons if c.notebook.name == "derivatives"]
    assert shown and all(sum(c.kernel_images) >= 1 for c in shown)
