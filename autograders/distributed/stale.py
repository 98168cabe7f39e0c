"""Cgroups left behind by a grader process that was killed (a Dask worker, SIGKILL).

A `Sandbox` removes its groups `autograders-<pid>/slot-<n>` when it closes; a process killed
outright cannot. Its warm processes end by themselves (their control sockets close), but a
child still running a notebook, and the groups, stay. A new worker on the same host removes
them: every group whose grader pid no longer exists is emptied (SIGKILL) and removed.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograders.sandbox.host import cgroups

PREFIX = "autograders-"


def sweep_stale_cgroups() -> list[Path]:
    """Empty and remove the groups of grader processes that no longer exist; the groups
    removed. Groups of live processes are left alone (a reused pid errs on that side)."""
    try:
        _, bases = cgroups.find_bases(memory=False)
    except OSError:
        return []  # no cgroups on this machine: nothing can have been left
    removed = []
    for base in bases:
        for top in stale_groups(base):
            try:
                for slot in sorted(top.glob("slot-*")):
                    cgroups._kill_all((slot,), timeout=5.0)
                    cgroups._rmdir(slot)
                cgroups._rmdir(top)
            except OSError:
                continue  # another sweeper got there first, or a task would not die: next time
            removed.append(top)
    return removed


def stale_groups(base: Path) -> list[Path]:
    """`base`'s groups `autograders-<pid>` whose pid is not a live process."""
    found = []
    for top in base.glob(f"{PREFIX}*"):
        suffix = top.name.removeprefix(PREFIX)
        if suffix.isdigit() and not pid_alive(int(suffix)):
            found.append(top)
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
