"""Per-slot cgroups capping the tasks of a child. Grader side.

Why: the grader runs as root and the kernel never applies RLIMIT_NPROC to uid 0, so only the
pids controller stops a fork bomb. The cgroup also finds every process a submission left
behind (double forks, new sessions) so it can be killed before the slot's next notebook.
Groups `autograders-<grader pid>/slot-<n>` nest under the grader's own cgroup, so limits the
host puts on the grader still hold; cgroup v2 is used when its pids controller is delegated
to the grader's group, else the v1 pids hierarchy. Memory is capped by RLIMIT_AS in the child
(`confine`), not here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def _mounts() -> list[tuple[str, str, str, str]]:
    """(mount root, mount point, fs type, super options) of each cgroup mount."""
    rows = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if tail and tail[0] in ("cgroup", "cgroup2"):
            rows.append((fields[3], fields[4], tail[0], tail[2] if len(tail) > 2 else ""))
    return rows


def _own_groups() -> dict[str, str]:
    """Controller list ("pids", "memory", "" for v2) -> the grader's path in that hierarchy."""
    groups = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            groups[name] = path
    return groups


def _join(mount_root: str, mount_point: str, path: str) -> Path:
    """Where the group `path` (relative to its hierarchy's root) appears in this mount."""
    rel = os.path.relpath(path, mount_root)
    if rel == os.curdir:
        return Path(mount_point)
    if rel.split(os.sep)[0] == os.pardir:
        raise OSError(f"cgroup {path} is outside the mounted part {mount_root} of its hierarchy")
    return Path(mount_point) / rel


def find_bases(memory: bool) -> tuple[str, list[Path]]:
    """Return ("v2" | "v1", [base directories]) under which to create the slots.

    Raises OSError with a reason when no writable pids hierarchy is found.
    """
    groups = _own_groups()
    mounts = _mounts()
    for root, point, fstype, _ in mounts:
        if fstype == "cgroup2" and "" in groups:
            try:
                base = _join(root, point, groups[""])
                enabled = (base / "cgroup.subtree_control").read_text().split()
            except OSError:
                continue
            if "pids" in enabled and (not memory or "memory" in enabled):
                return "v2", [base]
    bases = []
    for controller in ("pids", "memory") if memory else ("pids",):
        found = [
            _join(root, point, groups[controller])
            for root, point, fstype, opts in mounts
            if fstype == "cgroup" and controller in opts.split(",") and controller in groups
        ]
        if not found:
            raise OSError(f"no cgroup hierarchy with the {controller} controller is mounted")
        bases.append(found[0])
    return "v1", bases


class ProcessCaps:
    """Cgroups `autograders-<pid>/slot-<n>` limiting the tasks of each child.

    `reason` is None when the groups exist, else why they could not be made (not root, a
    read-only /sys/fs/cgroup, no pids controller); then `procs_files` returns () and the
    children fall back on rlimits. A child joins by writing its own pid to every file that
    `procs_files(slot)` returns, before it drops privileges.
    """

    def __init__(self, slots: int, *, processes: int) -> None:
        self.reason: str | None = None
        self.version = ""  # "v2" or "v1" once created
        self._dirs: list[Path] = []  # top-level group directories, one per hierarchy
        self._slots: list[tuple[Path, ...]] = []  # per slot: its group in each hierarchy
        try:
            self._create(slots, processes)
        except OSError as exc:
            self.reason = f"no per-child cgroups: {exc}"
            try:
                self.close()
            except OSError as cleanup:
                self.reason += f" (and cleaning up failed: {cleanup})"

    def _create(self, slots: int, processes: int) -> None:
        self.version, bases = find_bases(memory=False)
        for base in bases:
            top = base / f"autograders-{os.getpid()}"
            top.mkdir()
            self._dirs.append(top)
            if self.version == "v2":
                (top / "cgroup.subtree_control").write_text("+pids")
        self._slots = [tuple(top / f"slot-{n}" for top in self._dirs) for n in range(slots)]
        for slot in self._slots:
            for group in slot:
                group.mkdir()
                if (group / "pids.max").exists():
                    (group / "pids.max").write_text(str(processes))

    def procs_files(self, slot: int) -> tuple[str, ...]:
        """Files the child of `slot` writes its own pid to; () without cgroups."""
        if self.reason is not None:
            return ()
        return tuple(str(group / "cgroup.procs") for group in self._slots[slot])

    def pids(self, slot: int) -> list[int]:
        """Processes currently in the slot's groups."""
        return _procs(self._slots[slot]) if self._slots else []

    def kill(self, slot: int, timeout: float = 5.0) -> bool:
        """SIGKILL everything in the slot until it is empty; True if it emptied in time.

        Call it after each notebook, so a detached daemon cannot outlive its submission and
        touch the next one's run. Repeated because a process may fork between reading the
        list and the kill; the pids limit bounds how many such rounds can be needed.
        """
        return _kill_all(self._slots[slot], timeout) if self._slots else True

    def close(self) -> None:
        """Kill what is left in every slot and remove all the groups. Safe to call twice."""
        for slot in self._slots:
            _kill_all(slot, timeout=5.0)
            for group in slot:
                _rmdir(group)
        for top in self._dirs:
            _rmdir(top)
        self._slots, self._dirs = [], []

    def __enter__(self) -> ProcessCaps:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _procs(groups: tuple[Path, ...]) -> list[int]:
    pids: set[int] = set()
    for group in groups:
        with contextlib.suppress(FileNotFoundError):
            pids.update(int(pid) for pid in (group / "cgroup.procs").read_text().split())
    return sorted(pids)


def _kill_all(groups: tuple[Path, ...], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pids := _procs(groups):
        for group in groups:
            if (group / "cgroup.kill").exists():  # v2, kernel 5.14+: atomic, fork-proof
                (group / "cgroup.kill").write_text("1")
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _rmdir(path: Path, timeout: float = 2.0) -> None:
    """rmdir a cgroup, retrying while the kernel still counts exiting tasks in it."""
    deadline = time.monotonic() + timeout
    while path.exists():
        try:
            path.rmdir()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
