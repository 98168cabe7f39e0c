"""Grader side: start the warm process and hand out sandboxed children.

`Sandbox` owns the warm process (see `zygote`), a scratch folder for the children's working
directories, and the per-worker cgroups that cap their process count. Each `Child` is one
notebook's process tree; `Child.kill()` ends all of it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

from autograders.sandbox import cgroups, confine, protocol
from autograders.sandbox.limits import Limits

PACKAGE_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT = 180.0  # importing torch on a cold disk can take a while


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's code): a grader error."""


class Child:
    """One sandboxed process tree serving one notebook."""

    def __init__(self, sock: socket.socket, pid: int, workdir: Path) -> None:
        self.sock, self.pid, self.workdir = sock, pid, workdir
        self.warnings: list[str] = []

    def send(self, message: dict) -> None:
        try:
            protocol.send(self.sock, message)
        except OSError:
            pass  # a dead child shows up as end-of-stream on the next receive

    def receive(self, deadline: float) -> dict | None:
        """The next message; None when the child died or broke the protocol."""
        try:
            return protocol.receive(self.sock, deadline)
        except protocol.ProtocolError:
            return None

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)  # PID 1 of its namespace: takes the tree with it
        except ProcessLookupError:
            pass
        self.sock.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Sandbox:
    """The warm process and what it needs; use as a context manager."""

    def __init__(self, limits: Limits, workers: int) -> None:
        self.limits = limits
        self.scratch = Path(tempfile.mkdtemp(prefix="autograders-"))
        self._lock = threading.Lock()
        self._count = 0
        self.caps = cgroups.ProcessCaps(workers, processes=limits.processes)
        self._start()

    def _start(self) -> None:
        home = self.scratch / "warm-home"
        (home / ".ipython").mkdir(parents=True)
        (home / "matplotlib").mkdir()
        ours, theirs = socket.socketpair()
        code = (f"import sys; sys.path.insert(0, {str(PACKAGE_DIR.parent)!r}); "
                "from autograders.sandbox.zygote import main; main(int(sys.argv[1]))")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": str(home), "MPLCONFIGDIR": str(home / "matplotlib"), "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", code, str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, cwd=home, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control = ours
        read_only = confine.default_read_only_paths(str(PACKAGE_DIR)) + [str(home)]
        protocol.send(ours, {"ipython_dir": str(home / ".ipython"), "read_only": read_only,
                             "limits": asdict(self.limits)})
        ready = protocol.receive(ours, time.monotonic() + START_TIMEOUT)
        if not ready or ready.get("event") != "ready":
            raise SandboxError("the sandbox's warm process did not start")
        self.network = ready["network"]

    def spawn(self, slot: int) -> Child:
        """A fresh child, confined, waiting for its notebook's cells."""
        with self._lock:
            self._count += 1
            workdir = self.scratch / f"child-{self._count}"
            workdir.mkdir()
            protocol.send(self.control, {"op": "spawn", "workdir": str(workdir),
                                         "cgroup_procs": list(self.caps.procs_files(slot))})
            try:
                _, fds, _, _ = socket.recv_fds(self.control, 64, 1)
            except OSError as error:
                raise SandboxError(f"the warm process is gone: {error}") from None
        if not fds:
            raise SandboxError("the warm process did not hand over a child")
        sock = socket.socket(fileno=fds[0])
        started = protocol.receive(sock, time.monotonic() + 30)
        if not started or started.get("event") != "started":
            raise SandboxError("a sandboxed child did not start")
        child = Child(sock, int(started["pid"]), workdir)
        confined = protocol.receive(sock, time.monotonic() + 30)
        if not confined or confined.get("event") != "confined":
            child.kill()
            raise SandboxError("a sandboxed child could not confine itself")
        child.warnings = list(confined.get("warnings", []))
        return child

    def close(self) -> None:
        try:
            protocol.send(self.control, {"op": "exit"})
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
        self.control.close()
        self.caps.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
