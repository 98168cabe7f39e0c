"""The registry of problems: every autograded question of the `derivatives` assignment, its
checks (one per test cell of the instructor's notebook) and their hidden sample inputs.

The rubric (`autograders/rubric`), the CLI and the nbgrader plug-in all grade from here; the
project's tests check it against the source notebooks' cell ids and points.
"""

from __future__ import annotations

from autograders.problems import custom_backward, derivatives, partial_derivatives
from autograders.problems.base import Check, Problem

ASSIGNMENT = "derivatives"
NOTEBOOKS = (derivatives.NOTEBOOK, partial_derivatives.NOTEBOOK, custom_backward.NOTEBOOK)
PROBLEMS: tuple[Problem, ...] = (
    derivatives.PROBLEMS + partial_derivatives.PROBLEMS + custom_backward.PROBLEMS
)
QUESTION_IDS = tuple(problem.question_id for problem in PROBLEMS)
CHECKS: dict[str, Check] = {check.test_id: check for p in PROBLEMS for check in p.checks}
QUESTION_OF: dict[str, str] = {check.test_id: p.question_id for p in PROBLEMS for check in p.checks}
CHECKS_NOTEBOOK: dict[str, str] = {c.test_id: p.notebook for p in PROBLEMS for c in p.checks}


def for_notebook(notebook: str) -> tuple[Problem, ...]:
    return tuple(problem for problem in PROBLEMS if problem.notebook == notebook)


def max_points() -> dict[str, float]:
    return {problem.question_id: problem.points for problem in PROBLEMS}
