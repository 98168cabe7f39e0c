"""The benchmarks' CPU figure counts every process a measured command started, also one its
parent never waited for (as the grader's sandboxed children can be at shutdown)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.measure import CpuAccount, run_measured

# The command double-forks a grandchild that burns about 0.6 s of CPU, waits until it is
# done (through a pipe), and exits: nobody in the tree ever waits for the grandchild.
ORPHAN_BURNS_CPU = """
import os, time
read, write = os.pipe()
if os.fork() == 0:
    if os.fork() == 0:
        os.close(read)
        end = time.process_time() + 0.6
        while time.process_time() < end:
            pass
        os._exit(0)
    os._exit(0)
os.close(write)
os.wait()          # the intermediate child, which exited at once
os.read(read, 1)   # returns when the grandchild has ended (its end of the pipe closes)
"""


def test_an_orphans_cpu_time_is_the_commands() -> None:
    probe = CpuAccount.make()
    if probe is None:
        pytest.skip("no cgroup v1 cpuacct to make a group in (not root, or cgroup v2 only)")
    probe.close()
    measured = run_measured([sys.executable, "-c", ORPHAN_BURNS_CPU], cwd=Path.cwd())
    assert measured.returncode == 0
    assert measured.cpu_seconds >= 0.5, measured.cpu_seconds
