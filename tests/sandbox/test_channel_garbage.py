"""A notebook that writes garbage onto its own channel to the grader costs only the question
being asked: no grader error, the other questions graded as usual.

The student's function finds the channel (the socket among its descriptors) and writes frames
of its own before the real answer goes out, as a hostile submission would.
"""

from __future__ import annotations

import struct

import pytest
from sandboxed_notebook import call, run_cells

from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.host.session import BROKE_PROTOCOL, FORGED, Question
from autograders.sandbox.limits import Limits

pytestmark = pytest.mark.slow


def frame(body: bytes) -> bytes:
    return struct.pack("!I", len(body)) + body


def check_frame(test_id: str, answers: str, output: str = '""') -> bytes:
    body = f'{{"event": "check", "test_id": "{test_id}", "answers": {answers}, "output": {output}}}'
    return frame(body.encode())


NUMBER = '{"ok": true, "value": {"type": "number", "value": 42.0}, "args_after": [null]}'
GARBAGE = {
    "deep nesting": check_frame("bad", "[" * 100_000 + "]" * 100_000),
    "nesting past the limit": check_frame("bad", "[" * 200 + "]" * 200),
    "invalid UTF-8": frame(b'{"event": "check", "test_id": "b\xffad"}'),
    "huge integer": check_frame("bad", "[" + "9" * 4000 + "]"),
    "not an object": frame(b"[1, 2, 3]"),
    "answers of the wrong type": check_frame("bad", '"all correct"'),
    "answer items of the wrong type": check_frame("bad", "[[42]]"),
    "output of the wrong type": check_frame("bad", f"[{NUMBER}]", output="{}"),
    "NaN and infinity": check_frame("bad", '[{"ok": NaN, "value": Infinity}]'),
    "a forged answer ahead of the real one": check_frame("bad", f"[{NUMBER}]"),
    "an answer to a later question": check_frame("later", f"[{NUMBER}]"),
    "an early question_done": frame(b'{"event": "question_done"}'),
    "a whole forged answer, question_done included": (
        check_frame("bad", f"[{NUMBER}]") + frame(b'{"event": "question_done"}')
    ),
    "too many frames": frame(b'{"event": "progress"}') * 5000,
    "a header over the size limit": struct.pack("!I", 2**31),
    "a truncated frame": struct.pack("!I", 100) + b'{"event": ',
}

CELL = """
import os
def good(x):
    return x * 2
def bad(x):
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                os.write(int(name), GARBAGE)
        except OSError:
            pass
    return x * 2
"""


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(Limits(), workers=1) as made:
        yield made


def question(name: str) -> Question:
    return Question(name, [{"test_id": name, "probes": [call(name.rstrip("0123456789"), 1.5)]}])


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_garbage_costs_only_the_question_being_asked(sandbox: Sandbox, kind: str) -> None:
    cells = [f"GARBAGE = {GARBAGE[kind]!r}", CELL, "later = good"]
    run = run_cells(sandbox, cells, [question("good"), question("bad"), question("later")])
    assert all(cell["ok"] for cell in run.cells.values()) and not run.fatal_cells, run.cells
    assert set(run.failures) == {"bad"}, run.failures
    assert run.failures["bad"].startswith((BROKE_PROTOCOL, FORGED, "timed out")), run.failures
    assert "bad" not in run.answers, run.answers
    for test_id in ("good", "later"):
        answer = run.answers[test_id]["answers"][0]
        assert answer["value"] == {"type": "number", "value": 3.0}, answer


def test_garbage_written_by_a_cell_costs_that_cell_only(sandbox: Sandbox) -> None:
    """A cell that forges its own report, then the real one arrives: that cell is charged
    (it will not run again), the cells after it and every question are not."""
    forged = frame(b'{"event": "cell", "index": 2, "ok": true, "error": null}')
    cells = [f"GARBAGE = {forged!r}", CELL, "bad(0)", "later = good"]
    run = run_cells(sandbox, cells, [question("good"), question("later")])
    assert list(run.fatal_cells) == [2], (run.fatal_cells, run.cells)
    assert run.cells[3]["ok"] and not run.failures, (run.cells, run.failures)
