"""Run a check in a forked, optionally confined child and get its outcomes back as data.

Each test forks, confines the child as the warm process would, lets the child try what a
hostile submission would try, and has it report plain outcomes ("ok" or the exception's
name and errno) as JSON through a pipe. The parent only reads that data and asserts.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

import autograders
from autograders.sandbox.child import landlock
from autograders.sandbox.child.confine import confine
from autograders.sandbox.host.readable import read_only_paths
from autograders.sandbox.limits import Limits

PACKAGE_DIR = Path(autograders.__file__).parent
ABI = landlock.abi_version()
needs_landlock = pytest.mark.skipif(ABI < 1, reason="this kernel has no Landlock")
LIMITS = Limits(memory_bytes=512 * 1024**2, cpu_seconds=30, file_bytes=1024**2, processes=16)


def outcome(action: Callable[[], object]) -> str:
    """'ok', or the name (and errno) of what the action raised, as plain data."""
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - the child reports everything
        code = getattr(exc, "errno", None)
        return type(exc).__name__ + (f"[{errno.errorcode.get(code, code)}]" if code else "")
    return "ok"


def in_child(check: Callable[[], dict], *, confined: Path | None, procs=None, limits=LIMITS):
    """Fork; optionally confine the child to work dir `confined`; return check()'s dict."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            report: dict = {}
            try:
                if confined is not None:
                    report["warnings"] = confine(
                        workdir=str(confined),
                        read_only=read_only_paths(str(PACKAGE_DIR)),
                        limits=limits,
                        cgroup_procs=procs,
                    )
                report.update(check())
            except BaseException as exc:  # noqa: BLE001
                report["error"] = repr(exc)
            os.write(write, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    report = json.loads(data)
    assert "error" not in report, report
    return report


def unix_connect(address: str) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(address)
