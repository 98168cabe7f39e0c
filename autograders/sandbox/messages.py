"""The messages between the grader and the sandbox, typed once for both sides.

Grader -> warm process (control socket): `Config` once, then `SpawnRequest`s; it answers
`Ready` once, then `Started` (with the child's socket) or `SpawnFailed` per request.
Grader -> child: `CellsRequest`, `QuestionRequest`, `ExitRequest`.
Child -> grader: `Confined` (sent before any student code runs), then `CellReport` per cell
and `CellsDone`; per question a `CheckAnswer` per check, then `QuestionDone`.

Everything the child sends after `Confined` may have been written by student code, so the
grader reads it only through the validators below: a message of the right shape or None.
Only the standard library is imported (both sides load this module).
"""

from __future__ import annotations

from typing import Literal, TypedDict


class Cell(TypedDict):
    index: int
    source: str


class Check(TypedDict):
    test_id: str
    probes: list[dict]  # operations of `probes`, plain data


class CellsRequest(TypedDict):
    op: Literal["cells"]
    cells: list[Cell]
    skip: list[int]


class QuestionRequest(TypedDict):
    op: Literal["question"]
    checks: list[Check]


class ExitRequest(TypedDict):
    op: Literal["exit"]


class ErrorReport(TypedDict):
    type: str
    message: str


class Confined(TypedDict):
    event: Literal["confined"]
    warnings: list[str]


class CellReport(TypedDict):
    event: Literal["cell"]
    index: int
    ok: bool
    error: ErrorReport | None
    stdout: str  # what the cell printed (figures shown as their text placeholder), capped
    stderr: str


class CellsDone(TypedDict):
    event: Literal["cells_done"]


class CheckAnswer(TypedDict):
    event: Literal["check"]
    test_id: str
    answers: list[dict]  # one per probe, read by the problem's judge
    output: str


class QuestionDone(TypedDict):
    event: Literal["question_done"]


class Config(TypedDict):
    ipython_dir: str
    read_only: list[str]
    limits: dict  # the fields of `limits.Limits`
    cgroups: list[list[str]]  # per slot, the cgroup.procs files its children are born in


class SpawnRequest(TypedDict):
    op: Literal["spawn"]
    workdir: str


class Ready(TypedDict):
    event: Literal["ready"]
    network: str  # how the children are kept off the network (see namespaces)
    pid: int


class Started(TypedDict):
    event: Literal["started"]
    pid: int
    pid_namespace: bool


class SpawnFailed(TypedDict):
    event: Literal["error"]
    reason: str


CELL_OUTPUT_CAP = 4_000  # characters of each stream of a cell's output the grader keeps
CELLS_DONE: CellsDone = {"event": "cells_done"}
QUESTION_DONE: QuestionDone = {"event": "question_done"}


def cell_report(message: dict, index: int | None) -> CellReport | None:
    """`message` if it is a well-formed report of cell `index`, else None. Its output
    streams (absent: empty) are cut to `CELL_OUTPUT_CAP` characters each."""
    error, ok = message.get("error"), message.get("ok")
    stdout, stderr = message.get("stdout", ""), message.get("stderr", "")
    if not (
        message.get("event") == "cell"
        and index is not None
        and message.get("index") == index
        and isinstance(ok, bool)  # as strict as `type(ok) is bool`: no subclasses
        and (error is None or _is_error_report(error))
        and isinstance(stdout, str)
        and isinstance(stderr, str)
    ):
        return None
    return CellReport(
        event="cell",
        index=index,
        ok=ok,
        error=error,
        stdout=stdout[:CELL_OUTPUT_CAP],
        stderr=stderr[:CELL_OUTPUT_CAP],
    )


def check_answer(message: dict, probes: dict[str, int]) -> CheckAnswer | None:
    """`message` if it is a well-formed answer to one of the checks in `probes` (test id ->
    how many probes it has: one answer each), else None."""
    test_id, answers, output = message.get("test_id"), message.get("answers"), message.get("output")
    if not (
        message.get("event") == "check"
        and isinstance(test_id, str)
        and test_id in probes
        and isinstance(answers, list)
        and len(answers) == probes[test_id]
        and all(isinstance(answer, dict) for answer in answers)
        and isinstance(output, str)
    ):
        return None
    return CheckAnswer(event="check", test_id=test_id, answers=answers, output=output)


def _is_error_report(error: object) -> bool:
    return (
        isinstance(error, dict)
        and isinstance(error.get("type"), str)
        and isinstance(error.get("message"), str)
    )
