"""Grader side: run one notebook in the sandbox and collect the answers to its questions.

The cells run once in a child, then the questions, one after the other. When the child dies or
hangs, the cell or question it was on is charged, and a fresh child re-runs the cells (without
a cell that killed its process) for the questions still to come. So a crash, hang,
`os._exit` or segfault costs the one question it happened in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from autograders.sandbox.pool import Child, Sandbox

MAX_CHILDREN = 6  # per notebook: each restart re-runs the cells, so a bound keeps it cheap


@dataclass
class Question:
    question_id: str
    checks: list[dict]  # [{"test_id": ..., "probes": [...]}], plain data for the child


@dataclass
class NotebookRun:
    """What the sandbox reported, as plain data."""

    cells: dict[int, dict] = field(default_factory=dict)  # index -> {"ok", "error"}
    fatal_cells: dict[int, str] = field(default_factory=dict)  # index -> why the process died
    answers: dict[str, dict] = field(default_factory=dict)  # test_id -> {"answers", "output"}
    failures: dict[str, str] = field(default_factory=dict)  # test_id -> why it has no answer
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Timeouts:
    """Wall-clock seconds. The notebook budget bounds everything one notebook may cost, so a
    thousand cells that each stay under the cell timeout cannot stall a class."""

    cell: float = 10.0
    question: float = 10.0
    notebook: float = 120.0

    @classmethod
    def per_step(cls, seconds: float) -> Timeouts:
        """`seconds` per cell and per question, and a notebook budget that fits a few of them."""
        return cls(cell=seconds, question=seconds, notebook=max(cls.notebook, 12 * seconds))


class _Clock:
    def __init__(self, budget: float) -> None:
        self.end = time.monotonic() + budget

    def deadline(self, seconds: float) -> float:
        return min(time.monotonic() + seconds, self.end)

    def expired(self) -> bool:
        return time.monotonic() >= self.end


def run_notebook(
    sandbox: Sandbox, slot: int, cells: list[dict], questions: list[Question], timeouts: Timeouts
) -> NotebookRun:
    run, clock = NotebookRun(), _Clock(timeouts.notebook)
    pending = list(questions)
    for _ in range(MAX_CHILDREN):
        if not pending or clock.expired():
            break
        child = sandbox.spawn(slot)
        try:
            run.warnings = child.warnings
            if _run_cells(child, cells, run, clock, timeouts.cell):
                _ask_questions(child, pending, run, clock, timeouts.question)
        finally:
            child.kill()
    why = (
        f"the notebook used up its {timeouts.notebook:g} s budget"
        if clock.expired()
        else f"grading stopped: the notebook crashed the sandbox {MAX_CHILDREN} times"
    )
    for question in pending:
        _fail(
            run,
            [check["test_id"] for check in question.checks if check["test_id"] not in run.failures],
            why,
        )
    return run


def _run_cells(
    child: Child, cells: list[dict], run: NotebookRun, clock: _Clock, timeout: float
) -> bool:
    """Run the cells; False (and the guilty cell marked fatal) when the child died."""
    child.send({"op": "cells", "cells": cells, "skip": sorted(run.fatal_cells)})
    expected = [c["index"] for c in cells if c["index"] not in run.fatal_cells]
    for index in expected:
        message = _receive(child, clock.deadline(timeout))
        if isinstance(message, str) or message.get("event") != "cell":
            reason = message if isinstance(message, str) else "broke the grading protocol"
            run.fatal_cells[index] = reason
            return False
        run.cells[index] = {"ok": bool(message.get("ok")), "error": message.get("error")}
    done = _receive(child, clock.deadline(timeout))
    return isinstance(done, dict) and done.get("event") == "cells_done"


def _ask_questions(
    child: Child, pending: list[Question], run: NotebookRun, clock: _Clock, timeout: float
) -> None:
    while pending:
        question = pending.pop(0)
        child.send({"op": "question", "checks": question.checks})
        deadline = clock.deadline(timeout)
        waiting = [check["test_id"] for check in question.checks]
        while True:
            message = _receive(child, deadline)
            if isinstance(message, str):  # the child itself is gone: start a fresh one
                _fail(run, waiting, message)
                return
            if message.get("event") == "check" and message.get("test_id") in waiting:
                waiting.remove(message["test_id"])
                run.answers[message["test_id"]] = {
                    "answers": message.get("answers"),
                    "output": str(message.get("output", "")),
                }
            elif message.get("event") == "question_done":
                _fail(run, waiting, "the check sent no answer")
                break


def _fail(run: NotebookRun, test_ids: list[str], reason: str) -> None:
    for test_id in test_ids:
        run.failures[test_id] = reason


def _receive(child: Child, deadline: float) -> dict | str:
    """A message, or a string saying why none came."""
    try:
        message = child.receive(deadline)
    except TimeoutError:
        return "timed out"
    return message if message is not None else "the process ended (a crash, an exit or a kill)"
