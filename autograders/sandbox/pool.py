"""Grader side: start the warm processes and hand out sandboxed children.

`Sandbox` owns one warm process (see `zygote`) per worker slot, a scratch folder for the
children's working directories, and one cgroup per slot capping the number of processes. The
warm process of a slot lives in the slot's cgroup, so its children are born there: no
migration at spawn time, which costs milliseconds on cgroup v1. Each `Child` is one notebook's
process tree; `Child.kill()` ends all of it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from autograders.sandbox import cgroups, confine, protocol
from autograders.sandbox.limits import Limits

PACKAGE_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT = 180.0  # importing torch on a cold disk can take a while
ZYGOTE_CODE = ("import sys; sys.path.insert(0, sys.argv[2]); "
               "from autograders.sandbox.zygote import main; main(int(sys.argv[1]))")


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


class WarmProcess:
    """One zygote: started at once, ready after `wait_ready()`."""

    def __init__(self, home: Path, limits: Limits, cgroup_procs: tuple[str, ...]) -> None:
        self.home, self.limits, self.cgroup_procs = home, limits, cgroup_procs
        (home / ".ipython").mkdir(parents=True, exist_ok=True)
        (home / "matplotlib").mkdir(exist_ok=True)
        self._start()

    def _start(self) -> None:
        home, limits, cgroup_procs = self.home, self.limits, self.cgroup_procs
        ours, theirs = socket.socketpair()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": str(home), "MPLCONFIGDIR": str(home / "matplotlib"), "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", ZYGOTE_CODE, str(theirs.fileno()),
             str(PACKAGE_DIR.parent)],
            pass_fds=[theirs.fileno()], env=env, cwd=home, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control = ours
        for procs in cgroup_procs:  # before it forks anything: its children are born inside
            Path(procs).write_text(str(self.process.pid))
        read_only = confine.default_read_only_paths(str(PACKAGE_DIR)) + [str(home)]
        protocol.send(ours, {"ipython_dir": str(home / ".ipython"), "read_only": read_only,
                             "limits": asdict(limits)})
        self.network = ""

    def wait_ready(self) -> None:
        """Wait until the warm process has imported everything; at once when it has."""
        if self.network:
            return
        ready = protocol.receive(self.control, time.monotonic() + START_TIMEOUT)
        if not ready or ready.get("event") != "ready":
            raise SandboxError("the sandbox's warm process did not start")
        self.network = str(ready.get("network"))

    def spawn(self, workdir: Path) -> Child:
        """A fresh child, confined, waiting for its notebook's cells.

        Should the warm process itself have died, it is started again, once per call: a
        grader error then fails one notebook, not the rest of the class.
        """
        try:
            return self._spawn(workdir)
        except SandboxError:
            if self.process.poll() is None:
                raise
        self.control.close()
        self._start()
        return self._spawn(workdir)

    def _spawn(self, workdir: Path) -> Child:
        self.wait_ready()
        try:
            protocol.send(self.control, {"op": "spawn", "workdir": str(workdir)})
            data, fds, _, _ = socket.recv_fds(self.control, 4096, 1)
            started = protocol.decode(data)
        except (OSError, protocol.ProtocolError) as error:
            raise SandboxError(f"the warm process is gone: {error}") from None
        if not fds or started.get("event") != "started":
            raise SandboxError(f"the warm process made no child: {started.get('reason')}")
        child = Child(socket.socket(fileno=fds[0]), int(started["pid"]), workdir)
        if not started.get("pid_namespace"):
            child.warnings.append("no PID namespace: processes a submission leaves behind are "
                                  "ended only when grading ends")
        confined = protocol.receive(child.sock, time.monotonic() + 30)
        if not confined or confined.get("event") != "confined":
            child.kill()
            raise SandboxError("a sandboxed child could not confine itself")
        child.warnings += list(confined.get("warnings", []))
        return child

    def close(self) -> None:
        try:
            protocol.send(self.control, {"op": "exit"})
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
        self.control.close()


class Sandbox:
    """The warm processes and what they need; use as a context manager.

    Slot n is used by one grading thread at a time (the caller hands slots out). The warm
    processes start in the constructor and are waited for at their first spawn, so the caller
    can do its own start-up work (importing torch, say) in the meantime.
    """

    def __init__(self, limits: Limits, workers: int) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="autograders-"))
        self.caps = cgroups.ProcessCaps(workers, processes=limits.processes)
        self._spawned = 0
        self._warm = [WarmProcess(self.scratch / f"warm-{slot}", limits,
                                  self.caps.procs_files(slot)) for slot in range(workers)]

    @property
    def network(self) -> str:
        """How the children are kept off the network, e.g. "netns"."""
        self._warm[0].wait_ready()
        return self._warm[0].network

    def spawn(self, slot: int) -> Child:
        self._spawned += 1  # one thread per slot: the names differ by slot if not by count
        workdir = self.scratch / f"child-{slot}-{self._spawned}"
        workdir.mkdir()
        return self._warm[slot].spawn(workdir)

    def close(self) -> None:
        for warm in self._warm:
            warm.close()
        self.caps.close()  # and with it anything left in the slots' cgroups
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
