"""Child side: serve one notebook. Runs its cells, then answers questions in forked children.

Conversation with the grader (messages in `protocol`):
  grader -> {"op": "cells", "cells": [{"index": i, "source": "..."}], "skip": [i, ...]}
  child  -> {"event": "cell", "index": i, "ok": bool, "error": {...} | None} for each cell
  child  -> {"event": "cells_done"}
  grader -> {"op": "question", "checks": [{"test_id": "...", "probes": [op, ...]}, ...]}
  child  -> {"event": "check", "test_id": "...", "answers": [...], "output": "..."} per check,
            then {"event": "question_done"}
  grader -> {"op": "exit"}

Questions run in this process, one after the other, as a notebook's test cells would. A question
that kills the process (os._exit, a segfault) or hangs is charged by the grader, which then
starts a fresh child for the remaining questions.
"""

from __future__ import annotations

import os
import sys

from autograders.sandbox import probes, protocol
from autograders.sandbox.shell import CappedStream

_serving_pid = 0


_getpid = os.getpid
_exit = os._exit


def serve(sock, shell) -> None:
    global _serving_pid
    _serving_pid = _getpid()
    stdout, stderr = CappedStream("stdout"), CappedStream("stderr")
    sys.stdout, sys.stderr = stdout, stderr
    namespace = shell.user_ns
    while True:
        message = protocol.receive(sock)
        if message is None or message.get("op") == "exit":
            return
        if message["op"] == "cells":
            run_cells(sock, shell, message)
        elif message["op"] == "question":
            answer_question(sock, namespace, message, stdout, stderr)


def run_cells(sock, shell, message: dict) -> None:
    skip = set(message.get("skip", []))
    for cell in message["cells"]:
        if cell["index"] in skip:
            continue
        result = shell.run_cell(cell["source"], store_history=False)
        stay_the_server()
        error = result.error_before_exec or result.error_in_exec
        report = probes.describe(error) if error is not None else None
        protocol.send(
            sock, {"event": "cell", "index": cell["index"], "ok": error is None, "error": report}
        )
    protocol.send(sock, {"event": "cells_done"})


def answer_question(sock, namespace, message: dict, stdout, stderr) -> None:
    for check in message["checks"]:
        stdout.reset()
        stderr.reset()
        answers = []
        for op in check["probes"]:
            answers.append(probes.run(op, namespace))
            stay_the_server()
        output = (stdout.getvalue() + stderr.getvalue())[-4000:]
        protocol.send(
            sock,
            {"event": "check", "test_id": check["test_id"], "answers": answers, "output": output},
        )
    protocol.send(sock, {"event": "question_done"})


def stay_the_server() -> None:
    """End a copy of this process that student code forked: only the original may go on
    reading the grader's requests and answering them."""
    if _getpid() != _serving_pid:
        _exit(0)
