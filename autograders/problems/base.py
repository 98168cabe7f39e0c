"""The shapes of the problem registry: a problem is a question with checks; a check makes a
trial (plain-data probes for the sandbox, and a judge for the answers) from a seeded RNG.

One check is one autograded test cell of the instructor's notebook, with the same id and
points, so `nbgrader autograde` and `python -m autograders grade` score the same units.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from autograders.compare import Mismatch


@dataclass(frozen=True)
class Trial:
    """What to ask the sandbox, and how to judge what comes back."""

    probes: list[dict]
    judge: Callable[[list], None]  # gets one answer per probe; raises Mismatch when wrong


@dataclass(frozen=True)
class Check:
    test_id: str  # the test cell's grade_id in the source notebook
    points: float
    title: str  # what a student reads in the report
    make_trial: Callable[[random.Random], Trial]


@dataclass(frozen=True)
class Problem:
    question_id: str  # the solution cell's grade_id
    notebook: str
    checks: tuple[Check, ...]

    @property
    def points(self) -> float:
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""
    hint: str = ""


def judge(trial: Trial, answers: object) -> Verdict:
    """Run a trial's judge on untrusted answers; any malformed answer is a failed check."""
    if not isinstance(answers, list) or len(answers) != len(trial.probes):
        return Verdict(False, "The sandbox returned no usable answer for this check.")
    try:
        trial.judge(answers)
    except Mismatch as mismatch:
        return Verdict(False, mismatch.message, mismatch.hint)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RuntimeError):
        return Verdict(False, "Your answer could not be read in the expected form.")
    return Verdict(True)


# Plain-data builders for probes (see autograders/sandbox/probes.py for their meaning).


def function(expression: str, *params: str) -> dict:
    return {"function": expression, "params": list(params)}


def tensor(values: torch.Tensor, *, requires_grad: bool = False) -> dict:
    dtype = str(values.dtype).removeprefix("torch.")
    return {"tensor": values.tolist(), "dtype": dtype, "requires_grad": requires_grad}


def call(name: str, *args: object) -> dict:
    return {"op": "call", "name": name, "args": list(args)}


def autograd_function(
    name: str, inputs: Sequence[dict | None], grad_output: dict | None = None
) -> dict:
    probe = {"op": "autograd_function", "name": name, "inputs": list(inputs)}
    return probe if grad_output is None else probe | {"grad_output": grad_output}


def variables(*names: str) -> dict:
    return {"op": "variables", "names": list(names)}


def shown(expression: str) -> str:
    """An expression as a student would write it on paper: `sin(x) * x`."""
    return expression.replace("torch.", "")


def random_tensor(
    rng: random.Random, shape: Sequence[int], low: float = -2.0, high: float = 2.0
) -> torch.Tensor:
    """float32 values from the seeded RNG, rounded so they print and travel exactly."""
    count = 1
    for size in shape:
        count *= size
    values = [round(rng.uniform(low, high), 3) for _ in range(count)]
    return torch.tensor(values, dtype=torch.float32).reshape(tuple(shape))
