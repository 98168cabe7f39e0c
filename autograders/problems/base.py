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

from autograders.answers import Malformed, check_answer
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


class JudgeError(RuntimeError):
    """A judge failed on a well-formed answer: a bug in the grader, never the student's loss."""


def judge(trial: Trial, answers: object) -> Verdict:
    """Run a trial's judge on untrusted answers.

    An answer of the wrong shape (see `answers.check_answer`) fails the check: it is what a
    crashed or tampering student process leaves. Anything but a `Mismatch` raised by the judge
    on well-formed answers is the grader's own bug and raises `JudgeError`.
    """
    if not isinstance(answers, list) or len(answers) != len(trial.probes):
        return Verdict(False, "The sandbox returned no usable answer for this check.")
    try:
        for probe, answer in zip(trial.probes, answers, strict=True):
            check_answer(probe["op"], answer)
    except Malformed:
        return Verdict(False, "Your answer could not be read in the expected form.")
    try:
        trial.judge(answers)
    except Mismatch as mismatch:
        return Verdict(False, mismatch.message, mismatch.hint)
    except Exception as error:
        raise JudgeError(f"{type(error).__name__}: {error}") from error
    return Verdict(True)


# Plain-data builders for probes (see autograders/sandbox/child/probes.py for their meaning).


def function(expression: str, *params: str) -> dict:
    return {"function": expression, "params": list(params)}


def tensor(values: torch.Tensor, *, requires_grad: bool = False, name: str = "") -> dict:
    """A tensor argument; with a `name`, later probes of the check can pass it again (`ref`)."""
    dtype = str(values.dtype).removeprefix("torch.")
    spec = {"tensor": values.tolist(), "dtype": dtype, "requires_grad": requires_grad}
    return spec | {"name": name} if name else spec


def call(name: str, *args: object) -> dict:
    return {"op": "call", "name": name, "args": list(args)}


def function_call(
    inputs: Sequence[dict | None],
    grad_output: dict | None = None,
    *,
    arity: int | None = None,
    nested: int = 1,
) -> dict:
    """One call of `function_apply`: `cls.apply(*inputs[:arity])`, applied `nested` times,
    then `backward(grad_output)` when given."""
    spec: dict = {"inputs": list(inputs), "nested": nested}
    if arity is not None:
        spec["arity"] = arity
    return spec if grad_output is None else spec | {"grad_output": grad_output}


def function_apply(name: str, calls: Sequence[dict], *, interleaved: bool = False) -> dict:
    order = "interleaved" if interleaved else "each"
    return {"op": "function_apply", "name": name, "calls": list(calls), "order": order}


def backward_direct(
    name: str, inputs: Sequence[dict | None], grad_output: dict, *, arity: int | None = None
) -> dict:
    """`cls.backward(node, grad_output)` with the node of `cls.apply(*inputs[:arity])`."""
    probe: dict = {"op": "backward_direct", "name": name, "inputs": list(inputs)}
    probe["grad_output"] = grad_output
    return probe if arity is None else probe | {"arity": arity}


def ref(name: str) -> dict:
    """The tensor kept under `name` by an earlier probe of the same check."""
    return {"ref": name}


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
