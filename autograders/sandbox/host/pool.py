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
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from autograders.sandbox import protocol
from autograders.sandbox.child import confine
from autograders.sandbox.host import cgroups
from autograders.sandbox.limits import Limits
from autograders.sandbox.messages import Config, ExitRequest, SpawnRequest

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # autograders/
START_TIMEOUT = 180.0  # importing torch on a cold disk can take a while
# The package's folder comes on stdin, not in argv: a child's /proc/1/cmdline is this
# command line (the child is a fork of the warm process), and need not name grader paths.
ZYGOTE_CODE = (
    "import sys; sys.path.insert(0, sys.stdin.readline().rstrip('\\n')); "
    "from autograders.sandbox.child.zygote import main; main(*map(int, sys.argv[1:]))"
)


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's code): a grader error."""


class WarmProcessGone(SandboxError):
    """A slot's warm process no longer answers."""


class Child:
    """One sandboxed process tree serving one notebook."""

    def __init__(self, sock: socket.socket, pid: int, workdir: Path) -> None:
        self.sock, self.pid, self.workdir = sock, pid, workdir
        self.warnings: list[str] = []

    def send(self, message: Mapping[str, object]) -> None:
        try:
            protocol.send(self.sock, message)
        except OSError:
            pass  # a dead child shows up as end-of-stream on the next receive

    def receive(self, deadline: float) -> dict | None:
        """The next message; None when the child died. Raises TimeoutError when `deadline`
        passes, ProtocolError when what came is no message (the channel is then unusable)."""
        return protocol.receive(self.sock, deadline)

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)  # PID 1 of its namespace: takes the tree with it
        except ProcessLookupError:
            pass
        self.sock.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_warm_processes(
    home: Path, limits: Limits, cgroups: list[tuple[str, ...]]
) -> list[WarmProcess]:
    """Start one process that warms up once, then serves each slot from a fork of itself
    (see `zygote`). Returns the slots' handles at once; each is waited for at its first use."""
    (home / ".ipython").mkdir(parents=True, exist_ok=True)
    (home / "matplotlib").mkdir(exist_ok=True)
    pairs = [socket.socketpair() for _ in cgroups]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
    }
    theirs = [pair[1].fileno() for pair in pairs]
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", ZYGOTE_CODE, *map(str, theirs)],
        pass_fds=theirs,
        env=env,
        cwd=home,
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None  # stdin=PIPE
    process.stdin.write(f"{PACKAGE_DIR.parent}\n".encode())
    process.stdin.close()
    for _, their_end in pairs:
        their_end.close()
    read_only = confine.default_read_only_paths(str(PACKAGE_DIR)) + [str(home)]
    config = Config(
        ipython_dir=str(home / ".ipython"),
        read_only=read_only,
        limits=asdict(limits),
        cgroups=[list(c) for c in cgroups],
    )
    protocol.send(pairs[0][0], config)
    return [
        WarmProcess(ours, process, home, limits, procs)
        for (ours, _), procs in zip(pairs, cgroups, strict=True)
    ]


class WarmProcess:
    """One slot's server in the warm process: hands out children, ready after `wait_ready()`."""

    def __init__(
        self,
        control: socket.socket,
        process: subprocess.Popen,
        home: Path,
        limits: Limits,
        cgroup_procs: tuple[str, ...],
    ) -> None:
        self.control, self.process = control, process
        self.home, self.limits, self.cgroup_procs = home, limits, cgroup_procs
        self.network: str | None = None  # how children are kept off the network, once ready
        self.server_pid = 0
        self.restarts = 0

    def wait_ready(self) -> None:
        """Wait until the warm process has imported everything; at once when it has."""
        if self.network is not None:
            return
        ready = protocol.receive(self.control, time.monotonic() + START_TIMEOUT)
        if not ready or ready.get("event") != "ready":
            raise WarmProcessGone("the sandbox's warm process did not start")
        self.network = str(ready.get("network"))
        self.server_pid = int(ready.get("pid", 0))

    def spawn(self, workdir: Path) -> Child:
        """A fresh child, confined, waiting for its notebook's cells.

        Should this slot's server have died (a grader error), a new warm process takes its
        place, once per call: one notebook may fail, not the rest of the class.
        """
        try:
            return self._spawn(workdir)
        except WarmProcessGone:
            self.control.close()
            self.restarts += 1
            (fresh,) = start_warm_processes(
                self.home.with_name(f"{self.home.name}-{self.restarts}"),
                self.limits,
                [self.cgroup_procs],
            )
            self.control, self.process, self.network = fresh.control, fresh.process, None
            return self._spawn(workdir)

    def _spawn(self, workdir: Path) -> Child:
        self.wait_ready()
        try:
            protocol.send(self.control, SpawnRequest(op="spawn", workdir=str(workdir)))
            data, fds, _, _ = socket.recv_fds(self.control, 4096, 1)
            started = protocol.decode(data)
        except (OSError, protocol.ProtocolError) as error:
            raise WarmProcessGone(f"the warm process is gone: {error}") from None
        if not fds or started.get("event") != "started":
            raise SandboxError(f"the warm process made no child: {started.get('reason')}")
        child = Child(socket.socket(fileno=fds[0]), int(started["pid"]), workdir)
        assert self.network is not None  # set by `wait_ready`
        if self.network.startswith("none"):
            child.warnings.append(
                f"no network namespace ({self.network}): only Landlock's TCP "
                "rules keep the child off the network"
            )
        if not started.get("pid_namespace"):
            child.warnings.append(
                "no PID namespace: processes a submission leaves behind are "
                "ended only when grading ends"
            )
        confined = protocol.receive(child.sock, time.monotonic() + 30)
        if not confined or confined.get("event") != "confined":
            child.kill()
            raise SandboxError("a sandboxed child could not confine itself")
        child.warnings += list(confined.get("warnings", []))
        return child

    def close(self) -> None:
        try:
            protocol.send(self.control, ExitRequest(op="exit"))
        except OSError:
            pass
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
        self._warm = start_warm_processes(
            self.scratch / "warm", limits, [self.caps.procs_files(slot) for slot in range(workers)]
        )

    def spawn(self, slot: int) -> Child:
        self._spawned += 1  # one thread per slot: the names differ by slot if not by count
        workdir = self.scratch / f"child-{slot}-{self._spawned}"
        workdir.mkdir()
        return self._warm[slot].spawn(workdir)

    def close(self) -> None:
        for warm in self._warm:
            warm.close()
        for process in {id(w.process): w.process for w in self._warm}.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.caps.close()  # and with it anything left in the slots' cgroups
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
