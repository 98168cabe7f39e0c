"""Resource limits for one sandboxed child (one student notebook)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-child limits. Wall-clock timeouts are enforced by the grader, these by the kernel."""

    memory_bytes: int = 3 * 1024**3  # address space added on top of the warm process's own
    cpu_seconds: int = 120  # CPU time of the whole child, a backstop behind the wall clock
    file_bytes: int = 16 * 1024**2  # largest file the child may write
    workdir_bytes: int = 64 * 1024**2  # all the files of its working folder (a tmpfs, in RAM)
    processes: int = 64  # tasks (processes and threads) in the child's process tree
    open_files: int = 256
