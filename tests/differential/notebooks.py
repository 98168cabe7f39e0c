"""The instructor's own tests, run as nbgrader runs them: a submitted notebook whose test cells
get the source notebook's text back (nbgrader's OverwriteCells), executed in a real kernel.

Each test cell runs as two cells: its visible part (the hidden regions stripped, what the
student sees), then its hidden regions. The cell fails when either part raises; the visible
verdict alone tells whether the student could have seen the failure. One kernel per notebook
serves many submissions: between two, a reset cell empties the namespace (`%reset -f`), closes
figures, forgets modules a submission wrote, and moves to the submission's own folder.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager

from tests.fidelity import kernel

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SEED_VARIABLE = "AUTOGRADERS_SEED"  # read by hidden regions generated from the registry
KERNEL_SEED = 7
SOURCE_CHECKS = Path(__file__).resolve().parents[2] / "source" / "derivatives" / "checks.py"

_RESET = """\
%reset -f
def _fresh_start(folder, scratch, seed_variable, seed):
    import os
    import sys

    import matplotlib.pyplot as plt
    import torch

    plt.close("all")
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(scratch):
            del sys.modules[name]  # a module an earlier submission wrote
    os.chdir(folder)
    os.environ[seed_variable] = seed
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)


_fresh_start({folder!r}, {scratch!r}, {variable!r}, {seed!r})
del _fresh_start
"""


@dataclass(frozen=True)
class TestCell:
    test_id: str
    visible: str
    hidden: str


@dataclass
class Outcome:
    """What the instructor's tests said about one notebook: test id -> error, or None."""

    visible: dict[str, str | None] = field(default_factory=dict)
    full: dict[str, str | None] = field(default_factory=dict)


def source_tests(source: Path) -> dict[str, TestCell]:
    """grade_id -> the source notebook's test cell, split into visible and hidden parts."""
    document = json.loads(source.read_text(encoding="utf-8"))
    tests = {}
    for cell in document["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            text = _text(cell["source"])
            tests[meta["grade_id"]] = TestCell(meta["grade_id"], *split_hidden(text))
    return tests


def split_hidden(text: str) -> tuple[str, str]:
    """(the cell without its hidden regions, the hidden regions' code). The hidden regions
    must end the cell, so that running the two parts in turn is running the cell."""
    before, marker, rest = text.partition(BEGIN_HIDDEN)
    if not marker:
        return text, ""
    hidden = "".join(
        line
        for line in rest.splitlines(keepends=True)
        if line.strip() not in (BEGIN_HIDDEN, END_HIDDEN)
    )
    after_last = text.rsplit(END_HIDDEN, 1)[-1]
    if after_last.strip():
        raise ValueError(f"visible code after a hidden region: {after_last.strip()[:80]!r}")
    return before, hidden


def overwritten_cells(submitted: Path, tests: dict[str, TestCell]) -> list[tuple[str, str]]:
    """The submitted notebook's code cells as (source, role): role is "" for the student's
    cells, "visible:<id>" and "hidden:<id>" for the two parts of each test cell."""
    document = json.loads(submitted.read_text(encoding="utf-8"))
    cells = []
    for cell in document["cells"]:
        if cell.get("cell_type") != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in tests:
            test = tests[grade_id]
            cells += [(test.visible, f"visible:{grade_id}"), (test.hidden, f"hidden:{grade_id}")]
        else:
            cells.append((_text(cell.get("source", "")), ""))
    return cells


class NotebookKernel:
    """One kernel that runs many submissions of one notebook, one after the other."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.manager: KernelManager | None = None

    def run(self, name: str, cells: list[tuple[str, str]], folder: Path) -> Outcome:
        """Run one submission's cells in `folder` (a fresh copy of its notebook folder)."""
        reset = _RESET.format(
            folder=str(folder),
            scratch=str(self.scratch),
            variable=SEED_VARIABLE,
            seed=str(KERNEL_SEED),
        )
        document = kernel.notebook([reset] + [source for source, _ in cells])
        try:
            kernel.execute(document, folder, self._manager())
        except Exception as error:  # a dead or stuck kernel: every test of this run failed
            self.close()
            return _all_failed(cells, f"the kernel stopped: {type(error).__name__}")
        if kernel.error_of(document.cells[0]):
            raise RuntimeError(f"the reset cell failed: {kernel.error_text(document.cells[0])}")
        return _outcome(cells, document.cells[1:])

    def _manager(self) -> KernelManager:
        if self.manager is None:
            self.manager = KernelManager(kernel_name=kernel.KERNEL_NAME)
            self.manager.start_kernel(cwd=str(self.scratch))
        return self.manager

    def close(self) -> None:
        if self.manager is not None:
            try:
                self.manager.shutdown_kernel(now=True)
            finally:
                self.manager = None


def copy_notebook(notebook: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(notebook, folder)
    # the visible tests import their helpers from the assignment's checks.py
    shutil.copy(SOURCE_CHECKS, folder)
    return folder


def _outcome(cells: list[tuple[str, str]], ran: list[nbformat.NotebookNode]) -> Outcome:
    outcome = Outcome()
    for (_, role), cell in zip(cells, ran, strict=True):
        if not role:
            continue
        part, test_id = role.split(":", 1)
        error = kernel.error_text(cell) or None
        if part == "visible":
            outcome.visible[test_id] = error
            outcome.full[test_id] = error
        elif outcome.full.get(test_id) is None:
            outcome.full[test_id] = error
    return outcome


def _all_failed(cells: list[tuple[str, str]], why: str) -> Outcome:
    outcome = Outcome()
    for _, role in cells:
        if role:
            part, test_id = role.split(":", 1)
            outcome.full[test_id] = why
            if part == "visible":
                outcome.visible[test_id] = why
    return outcome


def _text(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else source
