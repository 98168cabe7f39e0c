"""Child side: serve one notebook. Runs its cells, then answers questions in forked children.

Conversation with the grader (messages in `protocol`):
  grader -> {"op": "cells", "cells": [{"index": i, "source": "..."}], "skip": [i, ...]}
  child  -> {"event": "cell", "index": i, "ok": bool, "error": {...} | None,
             "outputs": [{"type": "stream", "name": "stdout", "text": "..."},
                         {"type": "display", "text": "...", "png": "<base64>"}, ...]}
            for each cell (`messages.CellReport`)
  child  -> {"event": "cells_done"}
  grader -> {"op": "question", "checks": [{"test_id": "...", "probes": [op, ...]}, ...]}
  child  -> {"event": "check", "test_id": "...", "answers": [...], "output": "..."} per check,
            then {"event": "question_done"}
  grader -> {"op": "exit"}

Questions run in this process, one after the other, as a notebook's test cells would: each check
is one test cell, which ends as a cell ends in Jupyter (the inline backend closes its figures),
and closes the figure each call opens once it is read, as the instructor's plot tests do. A
question that kills the process (os._exit, a segfault) or hangs is charged by the grader,
which then starts a fresh child for the remaining questions.
"""

from __future__ import annotations

import os
import sys

from autograders.sandbox import protocol
from autograders.sandbox.child import probes
from autograders.sandbox.child.shell import (
    CappedStream,
    as_in_a_notebook,
    close_figures_except,
    end_of_cell,
    open_figures,
    showing_outputs,
)

_serving_pid = 0


_getpid = os.getpid
_exit = os._exit


def serve(sock, shell) -> None:
    stdout, stderr = start_serving(shell)
    namespace = shell.user_ns
    while True:
        message = protocol.receive(sock)
        if message is None or message.get("op") == "exit":
            return
        if message["op"] == "cells":
            run_cells(sock, shell, message, stdout, stderr)
        elif message["op"] == "question":
            answer_question(sock, shell, namespace, message, stdout, stderr)


def start_serving(shell) -> tuple[CappedStream, CappedStream]:
    """Make the calling process the one that serves (see `stay_the_server`), its output
    captured, its namespace a notebook's. A child of a prefix holder (`holder`) keeps the
    streams the holder's cells ran with: an object those cells made may hold them."""
    global _serving_pid
    _serving_pid = _getpid()
    stdout, stderr = sys.stdout, sys.stderr
    if not (isinstance(stdout, CappedStream) and isinstance(stderr, CappedStream)):
        stdout = CappedStream("stdout", shell.cell_outputs)
        stderr = CappedStream("stderr", shell.cell_outputs)
    sys.stdout, sys.stderr = stdout, stderr
    as_in_a_notebook(shell)
    return stdout, stderr


def run_cells(sock, shell, message: dict, stdout: CappedStream, stderr: CappedStream) -> None:
    """Run the cells in order, reporting each: whether it raised, and what it showed, in order
    (the autograded notebook shows it, as if the cell had run in a kernel). Each report holds
    all of its cell's outputs, so it can be stored and sent again as it is."""
    skip = set(message.get("skip", []))
    showing_outputs(shell, True)
    for cell in message["cells"]:
        if cell["index"] in skip:
            continue
        stdout.reset()
        stderr.reset()
        shell.cell_outputs.reset(cell["source"])
        result = shell.run_cell(cell["source"], store_history=False)
        stay_the_server()
        error = result.error_before_exec or result.error_in_exec
        report = probes.describe(error) if error is not None else None
        protocol.send(
            sock,
            {
                "event": "cell",
                "index": cell["index"],
                "ok": error is None,
                "error": report,
                "outputs": shell.cell_outputs.report([stdout, stderr]),
            },
        )
    showing_outputs(shell, False)
    protocol.send(sock, {"event": "cells_done"})


def answer_question(sock, shell, namespace: dict, message: dict, stdout, stderr) -> None:
    for check in message["checks"]:
        stdout.reset()
        stderr.reset()
        answers = ask_check(namespace, check["probes"], after_each=stay_the_server)
        output = (stdout.getvalue() + stderr.getvalue())[-4000:]
        close_the_check(shell)
        protocol.send(
            sock,
            {"event": "check", "test_id": check["test_id"], "answers": answers, "output": output},
        )
    protocol.send(sock, {"event": "question_done"})


def ask_check(namespace: dict, ops: list[dict], after_each=lambda: None) -> list[dict]:
    """The answers to one check's probes, asked as an instructor's test cell asks: a figure
    a call opens is read, then closed (the notebook's plot tests close it in `finally`), so a
    pyplot answer drawing on the current figure starts afresh at every call, as in Jupyter.

    tests/fidelity runs this same function in a real kernel to compare with the sandbox.
    """
    registers: dict = {}  # the check's named tensors, passed again by later probes
    answers = []
    for op in ops:
        figures_before = open_figures()
        answers.append(probes.run(op, namespace, registers))
        after_each()
        close_figures_except(figures_before)
    return answers


def close_the_check(shell) -> None:
    """End the check as a kernel ends a cell (its figures close), whatever hooks a cell
    registered do: an exception or exit there is no answer and stops nothing."""
    try:
        end_of_cell(shell)
    except BaseException:  # noqa: S110  (a student's post_execute hook; the answers are sent)
        pass
    stay_the_server()


def stay_the_server() -> None:
    """End a copy of this process that student code forked: only the original may go on
    reading the grader's requests and answering them."""
    if _getpid() != _serving_pid:
        _exit(0)
