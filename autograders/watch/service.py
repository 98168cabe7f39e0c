"""The watcher's loop: scan, queue, grade, report; until SIGTERM or SIGINT.

    scan       Scanner.changed()          folders changed and settled, with their digest
    queue      Store.offer()              durable; same content as last seen: skipped
    grade      Backend.submit()           up to `capacity` at once, one per student at a time
    reports    write_student_reports      results.json and feedback.html (grading thread)
    record     Store.finish()             then grades.csv from every student's latest result
    summary    write_class_reports        when the queue runs dry (it draws a figure: slow)

Order matters: a job is recorded as graded only after its reports are written, so a watcher
killed in between grades it again on restart instead of leaving a student without feedback.
"""

from __future__ import annotations

import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograders import problems
from autograders.grade import write_class_reports, write_student_reports
from autograders.reports.grades_csv import write_grades_csv
from autograders.results import StudentResult
from autograders.settings import Settings
from autograders.watch.backends import Backend, make_backend
from autograders.watch.nbgrader_sync import NbgraderSync
from autograders.watch.scan import Scanner
from autograders.watch.store import Job, Store


@dataclass(frozen=True)
class WatchOptions:
    submitted: Path
    out: Path
    database: Path
    poll: float = 0.05  # seconds between scans of SUBMITTED
    scheduler: str | None = None  # a Dask scheduler's address; None: the local pool
    once: bool = False  # stop when nothing is left to grade (tests, cron jobs)
    summary_every: float = 10.0  # seconds between redraws of summary.png, when idle
    nbgrader_course: Path | None = None  # hand each graded student to nbgrader (nbgrader_sync)


class Watcher:
    """Grades every new or changed submission under `options.submitted` into `options.out`."""

    def __init__(self, options: WatchOptions, settings: Settings) -> None:
        self.options, self.settings = options, settings
        self.store = Store(options.database)
        self.scanner = Scanner(options.submitted)
        self.stopping = threading.Event()
        self.finished: queue.Queue[tuple[Job, StudentResult]] = queue.Queue()
        self.in_flight: dict[int, Job] = {}
        self.latest = {result.student_id: result for result in self.store.results()}
        self.summary_due, self.summary_at = False, 0.0
        self.nbgrader: NbgraderSync | None = None

    def run(self) -> int:
        """Watch until stopped; finish the work in flight, write the class reports; exit code."""
        self.options.out.mkdir(parents=True, exist_ok=True)
        recovered = self.store.recover()
        backend = make_backend(self.settings, self.options.scheduler)
        if self.options.nbgrader_course is not None:
            course = self.options.nbgrader_course
            self.nbgrader = NbgraderSync(course, self.options.database, self.settings)
        log(f"watching {self.options.submitted} ({recovered} recovered from the last run)")
        try:
            while not self.stopping.is_set():
                self.step(backend)
                if self.options.once and self.idle():
                    break
            while self.in_flight:  # stopping: what was started is finished and recorded
                self.record(*self.finished.get())
        finally:
            backend.close()
            if self.nbgrader is not None:
                self.nbgrader.close(drain=self.options.once and not self.stopping.is_set())
            write_class_reports(self.options.out, self.class_results())
            self.store.close()
        log("stopped")
        return 0

    def step(self, backend: Backend) -> None:
        """One round: scan, start what fits, record what finished (waiting up to a poll)."""
        for student_id, _, digest in self.scanner.changed():
            self.store.offer(student_id, digest)
        busy = {job.student_id for job in self.in_flight.values()}
        for job in self.store.claim(backend.capacity - len(self.in_flight), busy):
            self.in_flight[job.id] = job
            folder = self.options.submitted / job.student_id / problems.ASSIGNMENT
            backend.submit(job.student_id, folder, self.reporter(job))
        try:
            self.record(*self.finished.get(timeout=self.options.poll))
            while True:
                self.record(*self.finished.get_nowait())
        except queue.Empty:
            pass
        if self.summary_due and self.idle() and time.monotonic() > self.summary_at:
            write_class_reports(self.options.out, self.class_results())
            self.summary_due, self.summary_at = False, time.monotonic() + self.options.summary_every

    def reporter(self, job: Job):
        """The callback run in the grading thread: write the student's reports, hand over."""

        def done(result: StudentResult) -> None:
            try:
                write_student_reports(self.options.out, result)
            except Exception as error:  # the row must still be recorded, with the reason
                result.grader_error = f"writing the reports failed: {error}"
            self.finished.put((job, result))

        return done

    def record(self, job: Job, result: StudentResult) -> None:
        finished_at = self.store.finish(job, result)
        del self.in_flight[job.id]
        self.latest[job.student_id] = result
        if self.nbgrader is not None and not result.grader_error:
            self.nbgrader.graded(job.student_id)
        write_grades_csv_atomically(self.options.out, self.class_results())
        self.summary_due = True
        waiting = self.store.counts()["queued"]
        log(
            f"graded {job.student_id}: {result.total:g}/{result.max_total:g} "
            f"({result.status}) in {result.seconds:.2f} s, "
            f"{finished_at - job.seen_at:.2f} s after it was seen; {waiting} waiting"
        )

    def idle(self) -> bool:
        """Nothing in flight, queued or settling."""
        if self.in_flight or self.scanner.pending():
            return False
        return self.store.counts()["queued"] == 0

    def class_results(self) -> list[StudentResult]:
        return [self.latest[student_id] for student_id in sorted(self.latest)]

    def stop(self, *_: object) -> None:
        self.stopping.set()


def write_grades_csv_atomically(out: Path, results: list[StudentResult]) -> None:
    """grades.csv as `grade` writes it, replaced in one rename: readers never see half."""
    partial = out / ".grades.csv.partial"
    write_grades_csv(partial, results, problems.QUESTION_IDS)
    partial.replace(out / "grades.csv")


def watch(options: WatchOptions, settings: Settings) -> int:
    """Run a watcher in this (main) thread; SIGTERM and SIGINT stop it cleanly (exit 0)."""
    watcher = Watcher(options, settings)
    signal.signal(signal.SIGTERM, watcher.stop)
    signal.signal(signal.SIGINT, watcher.stop)
    return watcher.run()


def log(line: str) -> None:
    print(f"watch {time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)
