"""`IsolatedExecute`: stands in for nbgrader's `Execute` in `Autograde.autograde_preprocessors`.

Stock nbgrader runs a submission and the tests in one kernel, so student code can patch the
comparisons, fake outputs, or kill the kernel and every answer with it. Here no kernel starts:
the notebook's cells run in the project's sandbox, the registry's checks are judged in this
process, and each test cell receives an output that nbgrader's own `SaveAutoGrades` reads as
full credit (a plain stdout line) or zero (an error). The verdicts thereby reach the gradebook,
the formgrader and the feedback through nbgrader's usual path. Every other code cell gets what
it printed in the sandbox (stdout, stderr, and the error it raised), so the formgrader and the
feedback show the worked examples and the student's own output; it is student content, made
inert by `MakeStudentContentInert` at the end of the pipeline.

Sanitizing runs first (`RestoreTestCells`, then nbgrader's `OverwriteCells`): test cells that
were edited, retyped or deleted are restored from the instructor's copy. The notebook was read by
`TolerantNotebookExporter` through `submission.load_notebook`, so `cells_to_run` picks the same
cells, and hence the same attempt seed, as the CLI.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Int, Unicode

from autograders import problems
from autograders.cell_outputs import notebook_outputs
from autograders.nbgrader_plugin.reading import not_gradable_reason
from autograders.pipeline import attempt_seed, grade_notebook, unanswered
from autograders.release import course_release
from autograders.results import CheckResult
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.host.session import Timeouts
from autograders.settings import Settings
from autograders.submission import cells_to_run

_sandbox: Sandbox | None = None
_sandbox_lock = threading.Lock()


def shared_sandbox(settings: Settings) -> Sandbox:
    """One warm process for the whole nbgrader command, closed when it exits."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            _sandbox = Sandbox(settings.limits, workers=1)
            atexit.register(_sandbox.close)
        return _sandbox


class IsolatedExecute(NbGraderPreprocessor):
    """Grade the notebook with the isolated engine instead of executing it in a kernel."""

    timeout = Float(10.0, help="Seconds allowed per notebook cell and per question.").tag(
        config=True
    )
    secret_file = Unicode(
        "",
        help="The course secret that keys each attempt's hidden inputs, created on first use "
        "(default: $AUTOGRADERS_SECRET_FILE or ~/.config/autograders/course-secret).",
    ).tag(config=True)
    seed = Int(
        None,
        allow_none=True,
        help="A public seed instead of the course secret (tests, regrades without the secret); "
        "hidden inputs are then predictable.",
    ).tag(config=True)

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        notebook = resources["nbgrader"]["notebook"]
        student = resources["nbgrader"]["student"]
        notebook_problems = problems.for_notebook(notebook)
        if not notebook_problems:
            self.log.warning("No autograded questions known for notebook %s", notebook)
            return nb, resources
        settings = Settings(
            workers=1,
            seed=self.seed,
            secret_file=Path(self.secret_file) if self.secret_file else None,
            timeouts=Timeouts.per_step(self.timeout),
            # the course's release: its unchanged leading cells run once, not per student
            release=course_release(self.config, resources["nbgrader"]["assignment"]),
        )
        reason = not_gradable_reason(nb)
        seed = 0
        cell_outputs: dict[int, dict] = {}
        if reason:
            results = unanswered(notebook_problems, f"{notebook}.ipynb: {reason}")
        else:
            warnings: list[str] = []
            cells = cells_to_run(nb.cells)
            seed = attempt_seed(settings.secret(), student, notebook, cells)
            results = grade_notebook(
                cells,
                notebook_problems,
                shared_sandbox(settings),
                settings,
                seed,
                warnings,
                cell_outputs,
            )
            for warning in warnings:
                self.log.warning("Weaker sandbox on this machine: %s", warning)
        self._write_outputs(nb, {result.test_id: result for result in results}, cell_outputs)
        # the seed is for the instructor's log only: feedback never shows it
        self.log.info("Graded %s for %s in the sandbox (seed %d)", notebook, student, seed)
        return nb, resources

    def _write_outputs(
        self, nb: NotebookNode, results: dict[str, CheckResult], cell_outputs: dict[int, dict]
    ) -> None:
        for index, cell in enumerate(nb.cells):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell.cell_type != "code":
                continue
            cell.outputs = [
                from_dict(output) for output in notebook_outputs(cell_outputs.get(index))
            ]
            if grade_id in results:
                cell.outputs = [from_dict(test_cell_output(results[grade_id]))]
            elif grade_id in problems.CHECKS:  # a test cell whose check did not run here
                self.log.error("No verdict for test cell %s", grade_id)


def test_cell_output(result: CheckResult) -> dict:
    """The output nbgrader's `determine_grade` reads: an error gives 0, plain stdout full marks."""
    if result.passed:
        return {
            "output_type": "stream",
            "name": "stdout",
            "text": f"Passed: {result.title} ({result.points:g} point"
            f"{'' if result.points == 1 else 's'})\n",
        }
    lines = [result.message]
    if result.hint:
        lines.append(f"Likely mistake: {result.hint}")
    if result.output.strip():
        lines.append(f"Your code printed:\n{result.output.strip()[:2000]}")
    return {
        "output_type": "error",
        "ename": "Failed",
        "evalue": "\n".join(lines),
        "traceback": [f"Failed: {result.title}", *lines],
    }
