"""The registry and the instructor's notebooks agree: same test cell ids, same points (the sync
command writes them from the registry; tests/authoring checks the notebooks are up to date)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from autograders import problems
from autograders.problems.manual import MANUAL

SOURCE = Path(__file__).resolve().parents[2] / "source" / problems.ASSIGNMENT


def autograded_test_cells(notebook: str) -> dict[str, float]:
    cells = json.loads((SOURCE / f"{notebook}.ipynb").read_text())["cells"]
    found = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code":
            found[meta["grade_id"]] = float(meta["points"])
    return found


@pytest.mark.parametrize("notebook", problems.NOTEBOOKS)
def test_checks_are_the_notebooks_test_cells_with_their_points(notebook: str) -> None:
    registry = {
        check.test_id: float(check.points)
        for problem in problems.for_notebook(notebook)
        for check in problem.checks
    }
    assert registry == autograded_test_cells(notebook)


def manual_cells(notebook: str) -> dict[str, float]:
    cells = json.loads((SOURCE / f"{notebook}.ipynb").read_text())["cells"]
    found = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("solution"):
            found[meta["grade_id"]] = float(meta["points"])
    return found


@pytest.mark.parametrize("notebook", problems.NOTEBOOKS)
def test_manual_questions_are_the_notebooks_manually_graded_cells(notebook: str) -> None:
    registry = {q.question_id: float(q.points) for q in MANUAL if q.notebook == notebook}
    assert registry == manual_cells(notebook)


def test_question_ids_are_unique_across_autograded_and_manual() -> None:
    ids = list(problems.QUESTION_IDS) + [q.question_id for q in MANUAL]
    assert len(ids) == len(set(ids))
    assert len(problems.CHECKS) == sum(len(p.checks) for p in problems.PROBLEMS)


def test_each_test_cell_id_starts_with_its_question_id() -> None:
    for test_id, question_id in problems.QUESTION_OF.items():
        assert test_id.startswith(f"{question_id}_test")


def test_trials_are_plain_data_and_reproducible() -> None:
    for check in problems.CHECKS.values():
        first = check.make_trial(random.Random("7:x")).probes
        again = check.make_trial(random.Random("7:x")).probes
        assert json.loads(json.dumps(first)) == first == again


def test_different_seeds_give_different_hidden_inputs() -> None:
    check = problems.CHECKS["derivative_at_test"]
    seen = {json.dumps(check.make_trial(random.Random(seed)).probes) for seed in range(20)}
    assert len(seen) == 20
