"""Forking a notebook's child in the warm process: PID 1 of a fresh PID namespace where the
kernel allows it, waiting out a full process table. Child side, standard library only.
"""

from __future__ import annotations

import errno
import os
import time

from autograders.sandbox.child import namespaces

PR_SET_CHILD_SUBREAPER = 36
FORK_PATIENCE = 10.0  # seconds a fork waits for the slot's process limit to free up


def fork_child(in_user_namespace: bool) -> tuple[int | None, bool]:
    """Fork the child that will serve one notebook, PID 1 of a PID namespace of its own where
    the kernel allows it. Returns (its pid as the grader sees it, or 0 in the child, or None
    when no process could be made; whether it has a PID namespace of its own).

    As root the server points its next child into a fresh namespace itself. Inside a user
    namespace it cannot (it may not go back to its own, host-owned, PID namespace after the
    first child), so a short-lived helper makes the namespace and forks the child into it.
    """
    if namespaces.next_child_in_new_pid_namespace():
        return fork_when_possible(), True
    if not in_user_namespace:
        return fork_when_possible(), False
    report_read, report_write = os.pipe()
    helper = fork_when_possible()
    if helper == 0:
        os.close(report_read)
        isolated = namespaces.unshare_pid_namespace()
        pid = fork_when_possible()
        if pid == 0:
            os.close(report_write)
            return 0, isolated
        os.write(report_write, f"{pid or 0} {int(isolated)}".encode())
        os._exit(0)
    os.close(report_write)
    with os.fdopen(report_read, "rb") as report:
        words = report.read().split()  # nothing when the helper could not be forked
    if len(words) != 2 or words[0] == b"0":
        return None, False
    return int(words[0]), words[1] == b"1"


def fork_when_possible() -> int | None:
    """fork(), waiting while the slot's process limit is full: after a fork bomb is killed,
    the kernel takes a moment to tear its namespace down and release the pids. ENOMEM means
    the namespace prepared for the child is unusable: prepare another and try again."""
    deadline = time.monotonic() + FORK_PATIENCE
    while True:
        try:
            return os.fork()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ENOMEM) or time.monotonic() > deadline:
                return None
            reap_children()
            time.sleep(0.02)
            if error.errno == errno.ENOMEM:
                namespaces.next_child_in_new_pid_namespace()


def reap_children() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
