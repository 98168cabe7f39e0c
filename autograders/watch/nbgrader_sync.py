"""Hand each student `watch` has graded to nbgrader: gradebook, feedback, exchange.

For every graded student, in one background thread, in the course folder:

    nbgrader autograde derivatives --student S --force      the gradebook (same engine, seed)
    nbgrader generate_feedback derivatives --student S --force
    nbgrader release_feedback derivatives --student S       the student's `fetch_feedback`

nbgrader's exchange finds feedback by a hash of the submission's secret and each notebook's
name, so its own commands must write it: `watch`'s feedback.html in OUT is available at once,
nbgrader's a few seconds later (each `autograde` warms its own sandbox). Students wait in a
table of the watcher's database until handed over, so a restart resumes where a kill stopped.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from autograders.layout import ASSIGNMENT
from autograders.settings import Settings

STEPS = (
    ("autograde", "--force"),
    ("generate_feedback", "--force"),
    ("release_feedback",),
)
STEP_TIMEOUT = 900.0  # seconds per nbgrader command: the engine has its own, finer timeouts
ATTEMPTS = 3  # per student and watcher run; then the instructor reads the log


class NbgraderSync:
    """A thread running nbgrader's commands for each student passed to `graded`."""

    def __init__(self, course: Path, database: Path, settings: Settings) -> None:
        self.course, self.settings = course, settings
        self.db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS nbgrader_pending (student_id TEXT PRIMARY KEY)")
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.stopping, self.busy = False, False
        self.failures: dict[str, int] = {}
        self.thread = threading.Thread(target=self.run, name="nbgrader", daemon=True)
        self.thread.start()

    def graded(self, student_id: str) -> None:
        """Queue `student_id` (once, however often they were graded meanwhile)."""
        with self.wake:
            self.db.execute("INSERT OR IGNORE INTO nbgrader_pending VALUES (?)", (student_id,))
            self.wake.notify()

    def run(self) -> None:
        while True:
            with self.wake:
                self.busy = False
                self.wake.notify_all()
                while not self.stopping and not self.pending():
                    self.wake.wait()
                if self.stopping:
                    return
                student_id, self.busy = self.pending()[0], True
                # removed before the commands run: a submission graded meanwhile queues again
                self.db.execute("DELETE FROM nbgrader_pending WHERE student_id=?", (student_id,))
            if self.hand_over(student_id):
                continue
            self.failures[student_id] = self.failures.get(student_id, 0) + 1
            if self.failures[student_id] < ATTEMPTS:
                self.graded(student_id)  # tried again after the others

    def pending(self) -> list[str]:
        rows = self.db.execute("SELECT student_id FROM nbgrader_pending ORDER BY rowid")
        return [row[0] for row in rows.fetchall()]

    def hand_over(self, student_id: str) -> bool:
        """Run the three commands for one student; False (logged) when one fails."""
        for step in STEPS:
            command = [sys.executable, "-m", "nbgrader", step[0], ASSIGNMENT, *step[1:]]
            command += ["--student", student_id, *self.engine_options(step[0])]
            done = subprocess.run(
                command, cwd=self.course, env=self.env(), capture_output=True, text=True,
                timeout=STEP_TIMEOUT,
            )  # fmt: skip
            if done.returncode != 0:
                tail = done.stderr.strip().splitlines()[-3:]
                print(f"watch: nbgrader {step[0]} failed for {student_id}: {tail}", file=sys.stderr)
                return False
        print(f"watch: nbgrader has {student_id}'s grades and feedback", file=sys.stderr)
        return True

    def engine_options(self, step: str) -> list[str]:
        if step != "autograde":
            return []
        options = [f"--IsolatedExecute.timeout={self.settings.timeouts.question}"]
        if self.settings.seed is not None:
            options.append(f"--IsolatedExecute.seed={self.settings.seed}")
        if self.settings.secret_file is not None:
            options.append(f"--IsolatedExecute.secret_file={self.settings.secret_file}")
        return options

    def env(self) -> dict[str, str]:
        # nbgrader runs `alembic` from PATH: the environment's bin folder first
        bin_folder = str(Path(sys.executable).parent)
        return os.environ | {"PATH": f"{bin_folder}{os.pathsep}{os.environ.get('PATH', '')}"}

    def close(self, *, drain: bool) -> None:
        """With `drain`, hand over every waiting student first; else stop after the one being
        handed over, the others waiting in the database for the next watcher."""
        with self.wake:
            while drain and (self.busy or self.pending()):
                self.wake.wait()
            self.stopping = True
            self.wake.notify()
        self.thread.join()
        self.db.close()
