"""The client side: send students to a Dask cluster and gather their plain-data results.

`grade_on_cluster` serves `grade --scheduler`; `ClusterGrader` serves `watch --scheduler`.
Both register `SandboxPlugin` first, so every worker (also one that joins or is restarted
later) has its warm sandbox before it takes a student. A worker that dies mid-task loses
nothing: the scheduler runs its tasks again elsewhere, and each task's result is gathered
once, so each student gets exactly one row. A task that kills workers again and again
(`distributed.scheduler.allowed-failures`, 3 by default) ends as a row whose status says so.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from distributed import Client, Future, as_completed

from autograders.distributed.plugin import SandboxPlugin, grade_on_worker
from autograders.results import StudentResult
from autograders.settings import Settings

CONNECT_TIMEOUT = "30s"


def connect(scheduler: str, settings: Settings) -> tuple[Client, str]:
    """A client of `scheduler` whose workers all have a sandbox for `settings`; the name of
    that sandbox's plugin."""
    client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    secret = None if settings.seed is not None else settings.secret()
    if settings.release is not None:
        settings.release.read()  # here: the workers get the release's cells as data
    plugin = SandboxPlugin(settings, secret)
    client.register_plugin(plugin)
    return client, plugin.name


def submit(client: Client, plugin: str, student_id: str, folder: Path) -> Future:
    # A fresh key per submission: a student graded again (watch) is a new task, not a cached one.
    key = f"grade-{student_id}-{uuid.uuid4().hex}"
    return client.submit(grade_on_worker, student_id, str(folder), plugin, key=key, pure=False)


def result_of(future: Future, student_id: str) -> StudentResult:
    """The task's result, or a row saying why the cluster could not grade the student."""
    try:
        return future.result()
    except Exception as error:  # KilledWorker, a cancelled task, a lost scheduler
        return StudentResult(student_id, grader_error=f"dask: {type(error).__name__}: {error}")


def grade_on_cluster(
    scheduler: str,
    folders: dict[str, Path],
    settings: Settings,
    report: Callable[[StudentResult], None],
) -> list[StudentResult]:
    """Grade `folders` (student id -> folder) on the cluster; `report` is called in this
    process with each result as it arrives. The results come back in the order of `folders`."""
    client, plugin = connect(scheduler, settings)
    with client:
        futures = {submit(client, plugin, sid, folder): sid for sid, folder in folders.items()}
        results: dict[str, StudentResult] = {}
        for future in as_completed(futures):
            student_id = futures[future]
            results[student_id] = result_of(future, student_id)
            report(results[student_id])
            future.release()
    return [results[student_id] for student_id in folders]


class ClusterGrader:
    """`watch`'s backend on Dask: `submit` returns at once, `done(result)` is called later
    (from a client thread) with the student's result."""

    def __init__(self, scheduler: str, settings: Settings) -> None:
        self.client, self.plugin = connect(scheduler, settings)
        self.capacity = max(1, sum(self.client.nthreads().values()))
        self._pending: set[Future] = set()  # a Dask future that is dropped is cancelled
        self._lock = threading.Lock()

    def submit(self, student_id: str, folder: Path, done: Callable[[StudentResult], None]) -> None:
        future = submit(self.client, self.plugin, student_id, folder)
        with self._lock:
            self._pending.add(future)

        def finished(future: Future) -> None:
            with self._lock:
                self._pending.discard(future)
            done(result_of(future, student_id))

        future.add_done_callback(finished)

    def close(self) -> None:
        self.client.close()
