"""The grader side of the sandbox: children, their cleanup, and a warm process that dies."""

from __future__ import annotations

import os
import signal
import time

import pytest

from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.limits import Limits

pytestmark = pytest.mark.slow


def run_cell(child, source: str) -> dict:
    child.send({"op": "cells", "cells": [{"index": 0, "source": source}], "skip": []})
    return child.receive(time.monotonic() + 30)


def test_a_child_runs_cells_and_leaves_nothing_behind() -> None:
    with Sandbox(Limits(), workers=1) as sandbox:
        child = sandbox.spawn(0)
        assert run_cell(child, "x = 6 * 7\nprint(x)") == {
            "event": "cell",
            "index": 0,
            "ok": True,
            "error": None,
            # what the cell showed, for the autograded notebook's outputs
            "outputs": [{"type": "stream", "name": "stdout", "text": "42\n"}],
        }
        workdir = child.workdir
        child.kill()
        assert not workdir.exists()
        time.sleep(0.2)
        with pytest.raises(ProcessLookupError):
            os.kill(child.pid, 0)
    assert not sandbox.scratch.exists()


def test_a_cell_error_is_reported_as_plain_data() -> None:
    with Sandbox(Limits(), workers=1) as sandbox:
        child = sandbox.spawn(0)
        message = run_cell(child, "raise ValueError('nope')")
        child.kill()
    assert message["ok"] is False
    assert message["error"] == {"type": "ValueError", "message": "nope"}


def test_a_dead_warm_process_is_replaced() -> None:
    with Sandbox(Limits(), workers=2) as sandbox:
        sandbox.spawn(1).kill()  # both slots are served from one warm-up
        warm = sandbox._warm[1]
        os.kill(warm.server_pid, signal.SIGKILL)
        child = sandbox.spawn(1)
        assert run_cell(child, "1 + 1")["ok"] is True
        child.kill()
        assert warm.restarts == 1
        other = sandbox.spawn(0)  # the other slot was not disturbed
        assert run_cell(other, "2 + 2")["ok"] is True
        other.kill()


def test_the_working_folder_cannot_fill_the_disk() -> None:
    """Many files under the size limit each still stop at the folder's own limit."""
    with Sandbox(Limits(workdir_bytes=8 * 1024**2), workers=1) as sandbox:
        child = sandbox.spawn(0)
        message = run_cell(
            child, "for n in range(64):\n    open(f'f{n}', 'wb').write(bytes(1024 ** 2))"
        )
        on_disk = sum(path.stat().st_size for path in child.workdir.rglob("*"))
        child.kill()
    assert message["ok"] is False and "No space left" in message["error"]["message"]
    assert on_disk == 0  # the files lived in the child's own tmpfs, not on the disk
