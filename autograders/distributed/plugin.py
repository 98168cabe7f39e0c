"""The worker side: a WorkerPlugin that gives each Dask worker its own warm sandbox.

Student code runs only inside that sandbox, exactly as with the local pool; the worker process
itself runs the grader's code (reading notebooks, judging) and returns plain-data results.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from distributed import WorkerPlugin, get_worker

from autograders.results import StudentResult
from autograders.settings import Settings

if TYPE_CHECKING:
    from autograders.sandbox.host.pool import Sandbox

PLUGIN_PREFIX = "autograders-sandbox-"


def plugin_name(settings: Settings, secret: bytes | None) -> str:
    """One name per grading configuration: registering the same again is a no-op (the
    workers keep their warm sandboxes across `grade` runs and `watch` restarts); other
    settings get a sandbox of their own."""
    fingerprint = hashlib.sha256(repr(settings).encode() + b"\0" + (secret or b""))
    return PLUGIN_PREFIX + fingerprint.hexdigest()[:16]


class SandboxPlugin(WorkerPlugin):
    """Starts a `Sandbox` with one slot per worker thread on setup and closes it on teardown.

    The course secret travels with the plugin (over Dask's connection: use TLS between hosts)
    and is kept on the worker in a private 0600 file, so that workers need no copy of their own.
    With a public `--seed` no secret is sent.
    """

    idempotent = True  # read by Client.register_plugin

    def __init__(self, settings: Settings, secret: bytes | None) -> None:
        self.name = plugin_name(settings, secret)
        self.settings = settings
        self.secret = secret  # None with a public seed
        self.sandbox: Sandbox | None = None
        self.private: Path | None = None

    async def setup(self, worker) -> None:
        # In a thread: importing torch takes seconds, and the worker's event loop must keep
        # answering the scheduler's heartbeats meanwhile.
        await asyncio.to_thread(self._start, worker.state.nthreads)

    def _start(self, threads: int) -> None:
        from autograders.distributed.stale import sweep_stale_cgroups
        from autograders.sandbox.host.pool import Sandbox

        sweep_stale_cgroups()  # groups left by a worker killed on this host
        self.private = Path(tempfile.mkdtemp(prefix="autograders-worker-"))
        settings = replace(self.settings, workers=threads)
        if self.secret is not None:
            secret_file = self.private / "course-secret"
            descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self.secret)
            settings = replace(settings, seed=None, secret_file=secret_file)
        self.settings = settings
        self.sandbox = Sandbox(settings.limits, threads)  # warm processes start now

    def teardown(self, worker) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
        if self.private is not None:
            shutil.rmtree(self.private, ignore_errors=True)

    def __getstate__(self) -> dict:
        # Only the settings and the secret travel; a worker's sandbox never leaves it.
        return {"settings": self.settings, "secret": self.secret}

    def __setstate__(self, state: dict) -> None:
        SandboxPlugin.__init__(self, state["settings"], state["secret"])


def grade_on_worker(student_id: str, folder: str, plugin: str) -> StudentResult:
    """The Dask task: grade one student folder in this worker's sandbox; a plain-data result.

    Never raises for a grader bug (the result's `grader_error` says so); a worker that dies
    during the task makes the scheduler run it again on another worker.
    """
    from autograders.grade import grade_one_student

    mine = get_worker().plugins[plugin]
    assert isinstance(mine, SandboxPlugin) and mine.sandbox is not None, "no warm sandbox here"
    return grade_one_student(student_id, Path(folder), mine.sandbox, mine.settings)
