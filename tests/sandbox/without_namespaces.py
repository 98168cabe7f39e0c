"""Grade one notebook on a machine that grants no namespaces at all, and report what it saw.

Run as a script (`python tests/sandbox/without_namespaces.py`): a seccomp filter first makes
unshare(2) fail with EPERM in this process and everything it starts, as on a kernel without
unprivileged user namespaces for a grader that is not root. Then a real sandbox runs one
cell, and the script prints, as JSON, the warnings the grader gave and what the cell saw.
"""

from __future__ import annotations

import ctypes
import errno
import json
import platform
import sys
from pathlib import Path

from sandboxed_notebook import read_json

import autograders
from autograders.sandbox.child.landlock import prctl
from autograders.sandbox.child.seccomp import _SockFilter, _SockFprog
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.limits import Limits

UNSHARE = {"x86_64": (0xC000_003E, 272), "aarch64": (0xC000_00B7, 97)}
CELL = f"""
import json, os
def outcome(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return type(error).__name__
report = json.dumps({{
    "pid": os.getpid(),
    "processes": sum(name.isdigit() for name in os.listdir("/proc")),
    "read_grader": outcome(lambda: open({str(Path(autograders.__file__))!r}).read()),
}})
"""


def deny_unshare() -> None:
    arch, unshare = UNSHARE[platform.machine()]
    code = [
        (0x20, 0, 0, 4),  # load the architecture
        (0x15, 0, 3, arch),  # another one: allow
        (0x20, 0, 0, 0),  # load the syscall number
        (0x15, 0, 1, unshare),
        (0x06, 0, 0, 0x0005_0000 | errno.EPERM),
        (0x06, 0, 0, 0x7FFF_0000),
    ]
    filters = (_SockFilter * len(code))(*(_SockFilter(*instruction) for instruction in code))
    program = _SockFprog(len(code), filters)
    if prctl(38, 1) != 0 or prctl(22, 2, ctypes.addressof(program)) != 0:
        raise OSError(ctypes.get_errno(), "could not install the filter")


def main() -> None:
    deny_unshare()
    with Sandbox(Limits(), workers=1) as sandbox:
        child = sandbox.spawn(0)
        warnings = child.warnings
        child.kill()
        seen = read_json(sandbox, [CELL])
        network = sandbox._warm[0].network
    print(json.dumps({"network": network, "warnings": warnings, "seen": seen}))


if __name__ == "__main__":
    sys.exit(main())
