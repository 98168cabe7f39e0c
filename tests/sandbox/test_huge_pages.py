"""The warm process's heap is mapped in huge pages, so that each fork and exit is cheaper.

The collapse is an optimisation the kernel may refuse (before Linux 6.1, or with transparent
huge pages turned off): then only the first test runs, and it asserts that nothing breaks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.limits import Limits

THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")

COLLAPSE_A_BUFFER = """
import sys
from autograders.sandbox.child import huge_pages
buffer = bytearray(16 << 20)  # 16 MiB, touched: resident in 4 KiB pages
buffer[::4096] = b"x" * len(buffer[::4096])
def huge() -> int:
    with open("/proc/self/smaps_rollup") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:"))
before = huge()
collapsed = huge_pages.collapse_anonymous_memory()
assert buffer[4096] == ord("x") and bytes(buffer[1:4096]) == bytes(4095)  # same contents
print(before, huge(), collapsed)
"""


def kernel_collapses() -> bool:
    """Whether MADV_COLLAPSE works here: Linux 6.1 or later, THP not turned off."""
    major, minor = (int(part) for part in os.uname().release.split(".")[:2])
    thp_on = THP_SETTING.exists() and "[never]" not in THP_SETTING.read_text()
    return (major, minor) >= (6, 1) and thp_on


def test_collapse_keeps_memory_as_it_was_and_reports_what_it_did() -> None:
    done = subprocess.run(
        [sys.executable, "-c", COLLAPSE_A_BUFFER], capture_output=True, text=True, check=True
    )
    before, after, collapsed = map(int, done.stdout.split())
    if kernel_collapses():
        assert after - before >= 8 << 10, done.stdout  # kB: most of the 16 MiB buffer
        assert collapsed >= 8 << 20
    else:
        assert after == before and collapsed == 0, done.stdout


@pytest.mark.slow
@pytest.mark.skipif(not kernel_collapses(), reason="transparent huge pages are off")
def test_the_warm_process_serves_from_huge_pages() -> None:
    """The slot's server (a fork of the warm process) maps most of its heap in huge pages;
    its children still start, run cells and report (the other sandbox tests check them)."""
    with Sandbox(Limits(), workers=1) as sandbox:
        sandbox.spawn(0).kill()
        server = sandbox._warm[0].server_pid
        rollup = Path(f"/proc/{server}/smaps_rollup").read_text().splitlines()
    sizes = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:]}
    assert sizes["AnonHugePages"] >= sizes["Anonymous"] // 2, sizes
