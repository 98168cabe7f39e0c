"""Run one grading command and measure it: wall time, peak memory of its whole process tree,
and the time each line of its stderr arrived.

Memory is sampled from outside, by a thread in this process, every `interval` seconds:
  peak_rss  the largest sum of resident set sizes over the tree (what the targets use; it
            counts pages shared between forked children once per process, so it overstates)
  peak_pss  the largest sum of proportional set sizes (shared pages split between sharers:
            the tree's real footprint), read from /proc/<pid>/smaps_rollup at every
            `PSS_EVERY`-th sample only: reading it walks the page tables of each process,
            and a sampler that takes a core's tenth would slow the grader it measures
CPU time is the tree's own: as root with cgroup v1's cpuacct controller, the command runs in
a cpuacct group of its own, whose usage counts every process it ever started (the grader's
sandboxed children are reaped by their prefix holders and slot servers, which a shutdown may
end before they are waited for: their time never reaches `getrusage(RUSAGE_CHILDREN)`, the
fallback elsewhere). `other_cpu` is the rest of the machine's busy time meanwhile: other work
on a shared machine slows the wall clock, and this says by how much it may have.

The tree is found again at every sample (`psutil.Process.children(recursive=True)`), so
kernels, sandboxed children and their forks are counted while they live. A process that lives
less than one interval can be missed; grading children live for a notebook, far longer.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SAMPLE_INTERVAL = 0.1  # seconds between two memory samples (a child lives longer)
PSS_EVERY = 10  # samples


@dataclass
class Measurement:
    """What one run of a command cost, as plain data."""

    command: list[str]
    returncode: int
    wall_seconds: float
    peak_rss_bytes: int
    peak_pss_bytes: int
    peak_processes: int
    samples: int
    cpu_seconds: float  # user + system time of the whole tree
    other_cpu_seconds: float  # busy time of the machine's other processes during the run
    sampler_cpu_seconds: float  # this process's own time meanwhile (sampling, reading pipes)
    stdout: str = ""
    stderr_lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start,
    # line): arrival times let nbgrader's own log say when it started each student

    @property
    def stderr(self) -> str:
        return "\n".join(line for _, line in self.stderr_lines)


class TreeMemorySampler(threading.Thread):
    """Samples the memory of `root_pid` and all its descendants until `stop()`."""

    def __init__(self, root_pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True, name="memory-sampler")
        self.root_pid, self.interval = root_pid, interval
        self.peak_rss = self.peak_pss = self.peak_processes = self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.root_pid)
        except psutil.NoSuchProcess:
            return
        while True:
            self.sample(root)
            if self._stop_event.wait(self.interval):
                return

    def sample(self, root: psutil.Process) -> None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:  # the root ended between two samples
            return
        rss = pss = alive = 0
        with_pss = self.samples % PSS_EVERY == 0
        for process in tree:
            try:
                rss += process.memory_info().rss
                pss += _pss(process) if with_pss else 0
                alive += 1
            except psutil.Error:  # ended while we looked: it no longer holds memory
                continue
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
        self.peak_processes = max(self.peak_processes, alive)
        self.samples += 1

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _pss(process: psutil.Process) -> int:
    try:
        return process.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):  # no smaps access: count its RSS instead
        return process.memory_info().rss


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Measurement:
    """Run `command` to the end while sampling its process tree; never raises on failure.

    A run that exceeds `timeout` is killed (its whole process group) and reported with
    returncode -9, so a stuck grader shows up in the figures instead of hanging the benchmark.
    """
    machine_before, tree_before, own_before = psutil.cpu_times(), _children_cpu(), _own_cpu()
    account = CpuAccount.make()
    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
        preexec_fn=account.join if account else None,  # noqa: PLW1509 (no thread runs here)
    )
    sampler = TreeMemorySampler(process.pid)
    sampler.start()
    out_lines: list[tuple[float, str]] = []
    err_lines: list[tuple[float, str]] = []
    readers = [
        threading.Thread(target=_read_lines, args=(stream, into, started), daemon=True)
        for stream, into in ((process.stdout, out_lines), (process.stderr, err_lines))
    ]
    for reader in readers:
        reader.start()
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        returncode = process.wait()
    wall = time.monotonic() - started
    sampler.stop()
    cpu, own = _children_cpu() - tree_before, _own_cpu() - own_before
    if account:
        cpu = account.close()
    other = max(0.0, _busy(psutil.cpu_times()) - _busy(machine_before) - cpu - own)
    for reader in readers:
        reader.join(timeout=10)  # a detached grandchild may hold the pipe open: don't wait on it
    return Measurement(
        list(command),
        returncode,
        wall,
        sampler.peak_rss,
        sampler.peak_pss,
        sampler.peak_processes,
        sampler.samples,
        cpu,
        other,
        own,
        "\n".join(line for _, line in out_lines),
        err_lines,
    )


class CpuAccount:
    """A cgroup v1 cpuacct group for one command and everything it starts."""

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls) -> CpuAccount | None:
        """A new group, or None where none can be made (not root, no cgroup v1 cpuacct)."""
        path = cls.ROOT / f"autograders-benchmark-{os.getpid()}-{time.monotonic_ns()}"
        try:
            path.mkdir()
        except OSError:
            return None
        return cls(path)

    def join(self) -> None:
        """Move the calling process (the command, before it runs) into the group."""
        (self.path / "cgroup.procs").write_text("0")

    def close(self) -> float:
        """The group's CPU seconds so far; the group is removed once it is empty."""
        seconds = int((self.path / "cpuacct.usage").read_text()) / 1e9
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.path.rmdir()
                break
            except OSError:  # a process of the tree is still ending
                time.sleep(0.05)
        return seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _busy(times) -> float:
    return (
        sum(times)
        - times.idle
        - getattr(times, "iowait", 0.0)
        - getattr(times, "guest", 0.0)
        - getattr(times, "guest_nice", 0.0)
    )  # guest time is counted in user time already


def _read_lines(stream, lines: list[tuple[float, str]], started: float) -> None:
    for line in stream:
        lines.append((time.monotonic() - started, line.rstrip("\n")))
