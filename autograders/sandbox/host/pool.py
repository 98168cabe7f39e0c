"""Grader side: start the warm processes and hand out sandboxed children.

`Sandbox` owns one warm process (see `zygote`) per worker slot, a scratch folder for the
children's working directories, and one cgroup per slot capping the number of processes. The
warm process of a slot lives in the slot's cgroup, so its children are born there: no
migration at spawn time, which costs milliseconds on cgroup v1. Each `Child` is one notebook's
process tree; `Child.kill()` ends all of it.

A slot also keeps a few prefix holders (`child.holder`), forked from its server and so in its
cgroup: each has run one `Prefix` (a release's leading cells) and forks the children of the
notebooks that begin with it (`Sandbox.spawn_after`). They end with the sandbox.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from autograders.sandbox import protocol
from autograders.sandbox.host import cgroups, readable
from autograders.sandbox.host.slots import Slots
from autograders.sandbox.limits import Limits
from autograders.sandbox.messages import (
    Cell,
    Config,
    ExitRequest,
    HolderRequest,
    HoldRequest,
    SpawnRequest,
)

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # autograders/
START_TIMEOUT = 180.0  # importing torch on a cold disk can take a while
HOLDER_TIMEOUT = 30.0  # seconds a holder may take to check itself once its cells have run
HOLDERS_PER_SLOT = 6  # prefix holders a slot keeps: two per notebook of the assignment (its usual
# prefix, and the whole release for an untouched notebook)
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


class HolderGone(SandboxError):
    """A prefix holder no longer makes children."""


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


@dataclass(frozen=True)
class Prefix:
    """A notebook's leading cells that are the release's own, byte for byte: run once per slot
    in a prefix holder (`child.holder`), whose children run only the cells after them.

    `cells` are numbered by position (0, 1, ...), whatever their index in a submission;
    `folder` is the release folder a working folder starts as a copy of ("" for none). `key`
    names both (`release.prefix_of` makes it)."""

    key: str
    cells: tuple[Cell, ...]
    folder: str


class Holder:
    """A prefix holder as the grader holds it: its channel and its cells' reports."""

    def __init__(self, channel: Child, prefix: Prefix) -> None:
        self.channel, self.prefix = channel, prefix
        self.reports: dict[int, dict] = {}  # position -> the cell's report, as `run.cells`

    def close(self) -> None:
        self.channel.send(ExitRequest(op="exit"))
        self.channel.kill()  # and its working folder


# Runs a fresh holder's prefix cells through its channel: the cells' reports by position, or
# None when they could not all run (the holder died, hung or broke the protocol).
Prime = Callable[[Child], dict[int, dict] | None]
T = TypeVar("T")


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
    read_only = readable.read_only_paths(str(PACKAGE_DIR)) + [str(home)]
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
        self.holders: OrderedDict[str, Holder] = OrderedDict()  # prefix key -> its holder
        self.refused: set[str] = set()  # prefix keys no holder can hold

    def wait_ready(self) -> None:
        """Wait until the warm process has imported everything; at once when it has."""
        if self.network is not None:
            return
        ready = protocol.receive(self.control, time.monotonic() + START_TIMEOUT)
        if not ready or ready.get("event") != "ready":
            raise WarmProcessGone("the sandbox's warm process did not start")
        self.network = str(ready.get("network"))
        self.server_pid = int(ready.get("pid", 0))

    def spawn(self, workdir: Path, start_from: str = "") -> Child:
        """A fresh child, confined, waiting for its notebook's cells; its working folder a
        copy of `start_from` when given.

        Should this slot's server have died (a grader error), a new warm process takes its
        place, once per call: one notebook may fail, not the rest of the class.
        """
        request = SpawnRequest(op="spawn", workdir=str(workdir))
        if start_from:
            request["start_from"] = start_from
        return self._restarting(lambda: self._spawn(self.control, request))

    def holder(self, prefix: Prefix, prime: Prime, workdir: Path) -> Holder | None:
        """The slot's holder of `prefix`, started and primed (its cells run) if need be; None
        when `prefix` cannot be held (its cells failed or left state a fork would share).

        The slot keeps its `HOLDERS_PER_SLOT` most recently used holders."""
        held = self.holders.pop(prefix.key, None)
        if held is None and prefix.key not in self.refused:
            held = self._restarting(lambda: self._start_holder(prefix, prime, workdir))
            if held is None:
                self.refused.add(prefix.key)
        if held is None:
            return None
        self.holders[prefix.key] = held  # the most recently used, last
        while len(self.holders) > HOLDERS_PER_SLOT:
            _, oldest = self.holders.popitem(last=False)
            oldest.close()
        return held

    def spawn_from(self, holder: Holder, workdir: Path) -> Child:
        """A child of `holder`; HolderGone (and the holder dropped) when the holder is dead."""
        try:
            return self._spawn(holder.channel.sock, SpawnRequest(op="spawn", workdir=str(workdir)))
        except (WarmProcessGone, SandboxError) as error:
            self.holders.pop(holder.prefix.key, None)
            holder.close()
            raise HolderGone(str(error)) from None

    def _restarting(self, make: Callable[[], T]) -> T:
        try:
            return make()
        except WarmProcessGone:
            self.control.close()
            self.restarts += 1
            self.drop_holders()  # the holders of the old server stay with it
            (fresh,) = start_warm_processes(
                self.home.with_name(f"{self.home.name}-{self.restarts}"),
                self.limits,
                [self.cgroup_procs],
            )
            self.control, self.process, self.network = fresh.control, fresh.process, None
            return make()

    def _start_holder(self, prefix: Prefix, prime: Prime, workdir: Path) -> Holder | None:
        self.wait_ready()
        request = HolderRequest(op="holder", workdir=str(workdir), release=prefix.folder)
        started, fds = self._request(self.control, request)
        if not fds or started.get("event") != "holder":
            raise SandboxError(f"the warm process made no holder: {started.get('reason')}")
        holder = Holder(Child(socket.socket(fileno=fds[0]), int(started["pid"]), workdir), prefix)
        try:
            reports = prime(holder.channel)
            holding = None
            if reports is not None:
                holder.channel.send(HoldRequest(op="hold"))
                holding = holder.channel.receive(time.monotonic() + HOLDER_TIMEOUT)
        except (TimeoutError, protocol.ProtocolError):
            reports = holding = None
        if reports is None or not holding or holding.get("usable") is not True:
            holder.close()
            return None
        holder.reports = reports
        return holder

    def _request(self, sock: socket.socket, request: Mapping[str, object]) -> tuple[dict, list]:
        """Send `request` to a server (the slot's or a holder), receive its answer and the
        descriptor it passes; WarmProcessGone when the server does not answer."""
        try:
            protocol.send(sock, request)
            sock.settimeout(START_TIMEOUT)  # a fork waits out a full process table, no more
            data, fds, _, _ = socket.recv_fds(sock, 4096, 1)
            return protocol.decode(data), fds
        except (OSError, protocol.ProtocolError) as error:
            raise WarmProcessGone(f"the warm process is gone: {error}") from None

    def _spawn(self, server: socket.socket, request: SpawnRequest) -> Child:
        self.wait_ready()
        started, fds = self._request(server, request)
        if not fds or started.get("event") != "started":
            raise SandboxError(f"the warm process made no child: {started.get('reason')}")
        child = Child(socket.socket(fileno=fds[0]), int(started["pid"]), Path(request["workdir"]))
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

    def drop_holders(self) -> None:
        for holder in self.holders.values():
            holder.close()
        self.holders.clear()

    def close(self) -> None:
        self.drop_holders()
        try:
            protocol.send(self.control, ExitRequest(op="exit"))
        except OSError:
            pass
        self.control.close()


class Sandbox:
    """The warm processes and what they need; use as a context manager.

    Slot n is used by one grading thread at a time: `slots` hands them out. The warm
    processes start in the constructor and are waited for at their first spawn, so the caller
    can do its own start-up work (importing torch, say) in the meantime.
    """

    def __init__(self, limits: Limits, workers: int) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="autograders-"))
        self.caps = cgroups.ProcessCaps(workers, processes=limits.processes)
        self._numbers = itertools.count(1)  # of working folders; next() is atomic
        self.slots = Slots.first(workers)
        self._warm = start_warm_processes(
            self.scratch / "warm", limits, [self.caps.procs_files(slot) for slot in range(workers)]
        )

    def spawn(self, slot: int, start_from: str = "") -> Child:
        """A fresh child on `slot`, its working folder a copy of `start_from` when given."""
        return self._warm[slot].spawn(self._folder("child", slot), start_from)

    def spawn_after(
        self, slot: int, prefix: Prefix, prime: Prime
    ) -> tuple[Child, dict[int, dict] | None]:
        """A child that has run `prefix` (forked from the slot's holder of it), and the
        prefix cells' reports by position; or, when no holder can hold the prefix, a child
        that has run nothing, starting from the release folder, and None. A holder found
        dead is replaced once."""
        warm = self._warm[slot]
        for _ in range(2):
            holder = warm.holder(prefix, prime, self._folder("holder", slot))
            if holder is None:
                break
            try:
                return warm.spawn_from(holder, self._folder("child", slot)), holder.reports
            except HolderGone:
                continue
        return self.spawn(slot, prefix.folder), None

    def _folder(self, kind: str, slot: int) -> Path:
        """A new working folder (a holder makes its own; it must not exist yet)."""
        folder = self.scratch / f"{kind}-{slot}-{next(self._numbers)}"
        if kind == "child":
            folder.mkdir()
        return folder

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
