"""The watcher's durable state: its queue and what it has graded, in SQLite (stdlib sqlite3).

    submissions   one row per content seen: queued -> grading -> graded (or superseded)
    students      per student: the digest last seen, and the latest graded result (JSON)

A row is marked graded in the same transaction that stores its result, after its reports are
written: a watcher killed before that grades the submission again on restart (`recover`) and
writes the same reports; one killed after never grades that content again (`offer` compares
with the digest last seen). A digest already queued or graded is not offered twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple

from autograders.results import CheckResult, StudentResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'grading', 'graded', 'superseded')),
    seen_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    total REAL,
    max_total REAL,
    status TEXT
);
CREATE INDEX IF NOT EXISTS submissions_by_state ON submissions (state, id);
CREATE TABLE IF NOT EXISTS students (
    student_id TEXT PRIMARY KEY,
    seen_digest TEXT NOT NULL,
    result TEXT
);
"""
STATES = ("queued", "grading", "graded", "superseded")


class Job(NamedTuple):
    id: int
    student_id: str
    digest: str
    seen_at: float


class Store:
    """One connection, used from one thread (the watcher's main loop)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")  # watch-status reads while the watcher writes
        self.db.execute("PRAGMA synchronous=FULL")  # a committed grade survives a power cut
        self.db.executescript(SCHEMA)

    def recover(self) -> int:
        """Put back in the queue what was being graded when the last watcher died; how many."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE submissions SET state='queued', started_at=NULL WHERE state='grading'"
            )
            self.db.execute(  # a newer submission of the same student waits: grade that one only
                "UPDATE submissions SET state='superseded' WHERE state='queued' AND id NOT IN "
                "(SELECT MAX(id) FROM submissions WHERE state='queued' GROUP BY student_id)"
            )
        return cursor.rowcount

    def offer(self, student_id: str, digest: str, now: float | None = None) -> bool:
        """Queue `digest` unless it is the student's content last seen; True if queued.

        A student's older submission still waiting is superseded: only the newest is graded.
        """
        with self.db:
            row = self.db.execute(
                "SELECT seen_digest FROM students WHERE student_id=?", (student_id,)
            ).fetchone()
            if row is not None and row[0] == digest:
                return False
            self.db.execute(
                "UPDATE submissions SET state='superseded' WHERE student_id=? AND state='queued'",
                (student_id,),
            )
            self.db.execute(
                "INSERT INTO submissions (student_id, digest, state, seen_at) "
                "VALUES (?, ?, 'queued', ?)",
                (student_id, digest, time.time() if now is None else now),
            )
            self.db.execute(
                "INSERT INTO students (student_id, seen_digest) VALUES (?, ?) "
                "ON CONFLICT (student_id) DO UPDATE SET seen_digest=excluded.seen_digest",
                (student_id, digest),
            )
        return True

    def claim(self, limit: int, busy: set[str]) -> list[Job]:
        """Up to `limit` queued jobs, oldest first, of students not in `busy`, now grading."""
        if limit <= 0:
            return []
        rows = self.db.execute(
            "SELECT id, student_id, digest, seen_at FROM submissions "
            "WHERE state='queued' ORDER BY id"
        ).fetchall()
        jobs: list[Job] = []
        for row in rows:
            job = Job(*row)
            if job.student_id not in busy and len(jobs) < limit:
                busy = busy | {job.student_id}
                jobs.append(job)
        with self.db:
            self.db.executemany(
                "UPDATE submissions SET state='grading', started_at=? WHERE id=?",
                [(time.time(), job.id) for job in jobs],
            )
        return jobs

    def finish(self, job: Job, result: StudentResult) -> float:
        """Record `job` as graded with `result`; its finishing time (wall clock)."""
        now = time.time()
        with self.db:
            self.db.execute(
                "UPDATE submissions SET state='graded', finished_at=?, total=?, max_total=?, "
                "status=? WHERE id=?",
                (now, result.total, result.max_total, result.status, job.id),
            )
            self.db.execute(
                "UPDATE students SET result=? WHERE student_id=?",
                (json.dumps(asdict(result)), job.student_id),
            )
        return now

    def results(self) -> list[StudentResult]:
        """The latest graded result of every student."""
        rows = self.db.execute(
            "SELECT result FROM students WHERE result IS NOT NULL ORDER BY student_id"
        ).fetchall()
        return [result_from_json(row[0]) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM submissions GROUP BY state")
        return {state: 0 for state in STATES} | dict(rows.fetchall())

    def rows(self, states: tuple[str, ...], limit: int = 50) -> list[tuple]:
        """(id, student, state, seen_at, started_at, finished_at, total, max_total, status),
        newest first."""
        marks = ", ".join("?" for _ in states)
        return self.db.execute(
            "SELECT id, student_id, state, seen_at, started_at, finished_at, total, max_total, "
            f"status FROM submissions WHERE state IN ({marks}) ORDER BY id DESC LIMIT ?",
            (*states, limit),
        ).fetchall()

    def close(self) -> None:
        self.db.close()


def result_from_json(text: str) -> StudentResult:
    data = json.loads(text)
    data["checks"] = [CheckResult(**check) for check in data["checks"]]
    return StudentResult(**data)
