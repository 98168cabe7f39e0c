"""Where `watch` grades: the local warm pool (default) or a Dask cluster (`--scheduler`).

A backend has a `capacity` (students graded at once), `submit(student_id, folder, done)`
which returns at once and later calls `done(result)` from another thread, and `close()`,
which waits for the work in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from autograders.grade import grade_one_student, students_in_flight
from autograders.results import StudentResult
from autograders.settings import Settings

Done = Callable[[StudentResult], None]


class Backend(Protocol):
    capacity: int

    def submit(self, student_id: str, folder: Path, done: Done) -> None: ...

    def close(self) -> None: ...


class LocalGrader:
    """Worker threads over one warm `Sandbox` that lives as long as the watcher.

    A hanging or crashing submission holds its slot for its own timeout only, and a warm
    process that died is replaced by the pool at the next spawn.
    """

    def __init__(self, settings: Settings) -> None:
        from autograders.distributed.stale import sweep_stale_cgroups
        from autograders.sandbox.host.pool import Sandbox

        sweep_stale_cgroups()  # what a watcher killed with SIGKILL left behind
        self.settings = settings
        self.capacity = students_in_flight(settings.workers)
        self.sandbox = Sandbox(settings.limits, settings.workers)  # warm processes start now
        self.threads = ThreadPoolExecutor(self.capacity, thread_name_prefix="watch")

    def submit(self, student_id: str, folder: Path, done: Done) -> None:
        def grade() -> None:
            done(grade_one_student(student_id, folder, self.sandbox, self.settings))

        self.threads.submit(grade)

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        self.sandbox.close()


def make_backend(settings: Settings, scheduler: str | None) -> Backend:
    if scheduler is None:
        return LocalGrader(settings)
    from autograders.distributed.client import ClusterGrader

    return ClusterGrader(scheduler, settings)
