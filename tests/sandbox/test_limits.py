"""Resource limits of a confined child: rlimits for memory and file size, pids cgroups."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest
from forked import LIMITS, in_child, outcome

from autograders.sandbox.host.cgroups import ProcessCaps


def test_memory_and_file_size_limits(workdir: Path) -> None:
    """A memory hog gets MemoryError; a file past the size limit raises EFBIG."""

    def check() -> dict:
        return {
            "hog": outcome(lambda: bytearray(2 * LIMITS.memory_bytes)),
            "small": outcome(lambda: bytearray(LIMITS.memory_bytes // 8)),
            "big_file": outcome(
                lambda: (workdir / "big").write_bytes(b"x" * (LIMITS.file_bytes + 1))
            ),
        }

    report = in_child(check, confined=workdir)
    assert report["hog"] == "MemoryError" and report["small"] == "ok", report
    assert report["big_file"] == "OSError[EFBIG]", report


def fork_many(attempts: int) -> dict:
    """Fork up to `attempts` sleepers that end when a pipe closes; count the successes."""
    read, write = os.pipe()
    started, failures = [], set()
    for _ in range(attempts):
        try:
            pid = os.fork()
        except OSError as exc:
            failures.add(errno.errorcode.get(exc.errno, str(exc.errno)))
            continue
        if pid == 0:
            os.close(write)
            os.read(read, 1)
            os._exit(0)
        started.append(pid)
    os.close(write)
    for pid in started:
        os.waitpid(pid, 0)
    return {"started": len(started), "failures": sorted(failures)}


def test_fork_bomb_stays_under_the_pids_limit(workdir: Path, caps: ProcessCaps) -> None:
    """As root RLIMIT_NPROC does nothing; the slot's pids cgroup stops the bomb."""
    report = in_child(lambda: fork_many(200), confined=workdir, procs=caps.procs_files(0))
    assert 0 < report["started"] < LIMITS.processes, report
    assert report["failures"] == ["EAGAIN"], report
    assert caps.pids(0) == []


def test_kill_ends_processes_that_escaped_their_parent(caps: ProcessCaps) -> None:
    """A double-forked daemon in a new session is still found and killed via the cgroup."""

    def check() -> dict:
        Path(caps.procs_files(0)[0]).write_text(str(os.getpid()))
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.closerange(3, 1 << 16)  # let the report pipe reach end of file
                time.sleep(60)
            os._exit(0)
        os.wait()
        return {}

    in_child(check, confined=None)
    assert len(caps.pids(0)) == 1
    assert caps.kill(0)
    assert caps.pids(0) == []


def test_cgroups_are_removed_on_close() -> None:
    """close() leaves no directory behind; the limit is written to each slot."""
    with ProcessCaps(3, processes=8) as made:
        if made.reason is not None:
            pytest.skip(made.reason)
        files = [Path(made.procs_files(n)[0]) for n in range(3)]
        assert all(f.exists() for f in files)
        assert all((f.parent / "pids.max").read_text().strip() == "8" for f in files)
    assert not any(f.parent.exists() or f.parent.parent.exists() for f in files)
    made.close()  # a second close is harmless
