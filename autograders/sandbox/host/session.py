"""Grader side: run one notebook in the sandbox and collect the answers to its questions.

The cells run once in a child, then the questions, one after the other. When the child dies or
hangs, the cell or question it was on is charged, and a fresh child re-runs the cells (without
a cell that killed its process) for the questions still to come. So a crash, hang,
`os._exit` or segfault costs the one question it happened in.

The release's unchanged leading cells (a `Prefix`) run once per slot, in a prefix holder that
every child of such a notebook is forked from (`child.holder`): a child runs only the cells
after them, and a replacement child comes from the same holder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from autograders.sandbox import images, messages
from autograders.sandbox.host.pool import Child, Prefix, Sandbox
from autograders.sandbox.messages import Cell, CellsRequest, Check, QuestionRequest
from autograders.sandbox.protocol import ProtocolError

BROKE_PROTOCOL = "broke the grading protocol"
FORGED = "its answers were written onto the grader's channel by the code itself"
MAX_CHILDREN = 6  # per notebook: each restart re-runs the cells, so a bound keeps it cheap


@dataclass
class Question:
    question_id: str
    checks: list[Check]  # plain data for the child


@dataclass
class NotebookRun:
    """What the sandbox reported, as plain data."""

    # index -> {"ok", "error", "outputs"} (outputs: `messages.CellOutput`s, checked)
    cells: dict[int, dict] = field(default_factory=dict)
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
    sandbox: Sandbox,
    slot: int,
    cells: list[Cell],
    questions: list[Question],
    timeouts: Timeouts,
    prefix: Prefix | None = None,
) -> NotebookRun:
    """Run the notebook's `cells`, then ask its `questions`, in sandboxed children.

    With a `prefix` (the release's cells that `cells` begin with, byte for byte), each child is
    forked from the slot's holder of that prefix, which ran those cells once: the child runs
    only the cells after them, and the prefix cells' reports come from the holder's run."""
    run, clock = NotebookRun(), _Clock(timeouts.notebook)
    pending = list(questions)
    for _ in range(MAX_CHILDREN):
        if not pending or clock.expired():
            break
        child, to_run = _spawn(sandbox, slot, cells, prefix, run, timeouts)
        try:
            run.warnings = child.warnings
            if _run_cells(child, to_run, run, clock, timeouts.cell):
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


def _spawn(
    sandbox: Sandbox,
    slot: int,
    cells: list[Cell],
    prefix: Prefix | None,
    run: NotebookRun,
    timeouts: Timeouts,
) -> tuple[Child, list[Cell]]:
    """A fresh child, and the cells it is to run: all of them, or those after the prefix
    when the child comes from a holder (the prefix cells' reports are then put in `run`)."""
    if prefix is None:
        return sandbox.spawn(slot), cells
    if not prefix.cells:  # the first cell differs: nothing to hold, only the folder to copy
        return sandbox.spawn(slot, prefix.folder), cells
    child, reports = sandbox.spawn_after(
        slot, prefix, lambda holder: _prime(holder, prefix, timeouts)
    )
    if reports is None:
        return child, cells
    for position, cell in enumerate(cells[: len(prefix.cells)]):
        run.cells[cell["index"]] = dict(reports[position])
    return child, cells[len(prefix.cells) :]


def _prime(holder: Child, prefix: Prefix, timeouts: Timeouts) -> dict[int, dict] | None:
    """Run the prefix cells in a fresh holder, read exactly as a child's cells are read: their
    reports by position, or None when any cell killed or hung the holder."""
    run = NotebookRun()
    ran = _run_cells(holder, list(prefix.cells), run, _Clock(timeouts.notebook), timeouts.cell)
    return run.cells if ran and len(run.cells) == len(prefix.cells) else None


def _run_cells(
    child: Child, cells: list[Cell], run: NotebookRun, clock: _Clock, timeout: float
) -> bool:
    """Run the cells; False (and the guilty cell marked fatal) when the child died or sent
    anything but the expected report (student code can write onto the channel)."""
    child.send(CellsRequest(op="cells", cells=cells, skip=sorted(run.fatal_cells)))
    expected = [c["index"] for c in cells if c["index"] not in run.fatal_cells]
    previous: int | None = None
    # the notebook's image allowance, less what the cells this child does not run showed
    images_left = images.MAX_IMAGES_PER_NOTEBOOK - sum(
        messages.images_in(cell["outputs"]) for i, cell in run.cells.items() if i not in expected
    )
    for index in expected:
        message = _receive(child, clock.deadline(timeout))
        report = (
            None if isinstance(message, str) else messages.cell_report(message, index, images_left)
        )
        if report is None:
            # A second report of the cell before: that cell wrote one of its own (accepted
            # as the real one), so it, not this one, is to blame.
            again = isinstance(message, dict) and messages.cell_report(message, previous)
            run.fatal_cells[previous if again and previous is not None else index] = _why(message)
            return False
        run.cells[index] = {
            "ok": report["ok"],
            "error": report["error"],
            "outputs": report["outputs"],
        }
        images_left -= messages.images_in(report["outputs"])
        previous = index
    done = _receive(child, clock.deadline(timeout))
    if done == messages.CELLS_DONE:
        return True
    if expected:  # charged to the last cell, so that the next child does not repeat it
        run.fatal_cells[expected[-1]] = _why(done)
    return False


def _why(message: dict | str) -> str:
    """Why a message was not the one expected: it did not come, or it was not one."""
    return message if isinstance(message, str) else BROKE_PROTOCOL


def _ask_questions(
    child: Child, pending: list[Question], run: NotebookRun, clock: _Clock, timeout: float
) -> None:
    """Ask the pending questions in order; stop (the child is then replaced) at the first one
    whose child died, hung or sent anything but its checks' answers then `question_done`.
    Checks answered before the child died keep their answers; a question whose channel
    carried anything odd is charged whole: a frame written by student code ahead of the real
    ones must not count."""
    previous = None
    while pending:
        question = pending.pop(0)
        child.send(QuestionRequest(op="question", checks=question.checks))
        why_not = _collect_answers(child, question, run, clock.deadline(timeout), previous)
        if why_not:
            test_ids = [check["test_id"] for check in question.checks]
            _fail(run, [test_id for test_id in test_ids if test_id not in run.answers], why_not)
            return
        previous = question


def _collect_answers(
    child: Child, question: Question, run: NotebookRun, deadline: float, previous: Question | None
) -> str:
    """Record one answer per check of `question`; "" when all went to plan, else why not.

    The child answers every check, in any order, then says `question_done`: one frame more,
    one less or any other frame breaks the protocol. Except for one case that is no fault of
    this question: the real, late answers of the `previous` question, which student code had
    answered in full with frames of its own. Then that question is charged instead.
    """
    probes = _probe_counts(question)
    answered: dict[str, dict] = {}
    while len(answered) <= len(probes):
        message = _receive(child, deadline)
        if isinstance(message, str) and not message.startswith(BROKE_PROTOCOL):
            run.answers.update(answered)  # the child died or hung: what came before counts
            return message
        if isinstance(message, str):
            return message
        if message == messages.QUESTION_DONE and answered.keys() == probes.keys():
            run.answers.update(answered)
            return ""
        answer = messages.check_answer(message, probes)
        if answer is None and previous and _late_answers(child, previous, message, deadline):
            test_ids = [check["test_id"] for check in previous.checks]
            for test_id in test_ids:
                run.answers.pop(test_id, None)
            _fail(run, test_ids, FORGED)
            previous = None
            continue
        if answer is None or answer["test_id"] in answered:
            return BROKE_PROTOCOL
        answered[answer["test_id"]] = {"answers": answer["answers"], "output": answer["output"]}
    return BROKE_PROTOCOL


def _late_answers(child: Child, previous: Question, message: dict, deadline: float) -> bool:
    """Whether `message` and the frames after it are the rest of the real answers to
    `previous`: its checks from this one on, in the order asked, then `question_done`."""
    probes = _probe_counts(previous)
    order = [check["test_id"] for check in previous.checks]
    first = messages.check_answer(message, probes)
    if first is None:
        return False
    for test_id in order[order.index(first["test_id"]) + 1 :]:
        late = _receive(child, deadline)
        answer = None if isinstance(late, str) else messages.check_answer(late, probes)
        if answer is None or answer["test_id"] != test_id:
            return False
    return _receive(child, deadline) == messages.QUESTION_DONE


def _probe_counts(question: Question) -> dict[str, int]:
    """Test id -> how many probes the check has (one answer each)."""
    return {check["test_id"]: len(check["probes"]) for check in question.checks}


def _fail(run: NotebookRun, test_ids: list[str], reason: str) -> None:
    for test_id in test_ids:
        run.failures[test_id] = reason


def _receive(child: Child, deadline: float) -> dict | str:
    """A message, or a string saying why none came."""
    try:
        message = child.receive(deadline)
    except TimeoutError:
        return "timed out"
    except ProtocolError as error:
        return f"{BROKE_PROTOCOL} ({error})"
    return message if message is not None else "the process ended (a crash, an exit or a kill)"
