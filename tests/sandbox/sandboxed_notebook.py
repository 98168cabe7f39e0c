"""Run notebook cells in the real sandbox (warm process, forked child) and read names back.

The cells are what a submission would contain; what they find is read back through the
grader's own `variables` question, as plain data, so a test sees what a notebook would see.
"""

from __future__ import annotations

import json

from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.host.session import NotebookRun, Question, Timeouts, run_notebook

TIMEOUTS = Timeouts(cell=30, question=30, notebook=120)


def run_cells(
    sandbox: Sandbox, cells: list[str], questions: list[Question], slot: int = 0
) -> NotebookRun:
    """Run `cells` in one fresh child, then ask `questions` (as the grader would)."""
    numbered = [{"index": index, "source": source} for index, source in enumerate(cells)]
    return run_notebook(sandbox, slot, numbered, questions, TIMEOUTS)


def read_json(sandbox: Sandbox, cells: list[str], name: str = "report", slot: int = 0):
    """Run `cells`, then return the JSON text the cells left in the global `name`, decoded."""
    question = Question("read", [{"test_id": "read", "probes": [variables(name)]}])
    run = run_cells(sandbox, cells, [question], slot)
    failed = {index: cell for index, cell in run.cells.items() if not cell["ok"]}
    assert not failed and not run.failures, (failed, run.failures, run.fatal_cells)
    found = run.answers["read"]["answers"][0]["values"][name]
    assert found["type"] == "str", found
    return json.loads(found["value"])


def variables(*names: str) -> dict:
    return {"op": "variables", "names": list(names)}


def call(name: str, *args: object) -> dict:
    return {"op": "call", "name": name, "args": list(args)}
