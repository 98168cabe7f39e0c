"""The watcher's loop: scan, queue, grade, report; until SIGTERM or SIGINT.

    scan       Scanner.changed()          folders changed and settled, with their digest
    queue      Store.offer()              durable; same content as last seen: skipped
    grade      Backend.submit()           up to `capacity` at once, one per student at a time
    reports    write_student_reports      results.json and feedback.html (grading thread)
    record     Store.finish()             then grades.csv from every student's latest result
                                          (GradesFile: its own thread, at most twice a second)
    summary    write_class_reports        once idle for a while (it draws a figure: slow)

Order matters: a job is recorded as graded only after its reports are written, so a watcher
killed in between grades it again on restart instead of leaving a student without feedback.

The loop sleeps on one queue: graded results arrive there from the grading threads, and
`None` from the inotify thread when a folder changed, so neither waits for a poll.
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
from autograders.results import StudentResult
from autograders.settings import Settings
from autograders.watch import scan
from autograders.watch.backends import Backend, make_backend
from autograders.watch.grades_file import GradesFile
from autograders.watch.inotify import Inotify
from autograders.watch.nbgrader_sync import NbgraderSync
from autograders.watch.store import Job, Store


@dataclass(frozen=True)
class WatchOptions:
    submitted: Path
    out: Path
    database: Path
    poll: float = scan.POLL  # seconds between scans of SUBMITTED, without inotify
    inotify: bool = True  # told of changes by inotify (Linux), else polling
    settle: float = scan.SETTLE  # inotify: seconds without an event before grading a folder
    rescan: float = scan.RESCAN  # inotify: seconds between full scans (network file systems)
    scheduler: str | None = None  # a Dask scheduler's address; None: the local pool
    once: bool = False  # stop when nothing is left to grade (tests, cron jobs)
    summary_every: float = 10.0  # seconds between redraws of summary.png
    summary_idle: float = 2.0  # seconds without work before it is redrawn (it takes a core)
    nbgrader_course: Path | None = None  # hand each graded student to nbgrader (nbgrader_sync)


class Watcher:
    """Grades every new or changed submission under `options.submitted` into `options.out`."""

    def __init__(self, options: WatchOptions, settings: Settings) -> None:
        self.options, self.settings = options, settings
        self.store = Store(options.database)
        self.stopping = threading.Event()
        # graded (job, result) pairs from the grading threads; None: a folder changed, or stop.
        # A SimpleQueue: its put() may be called from the signal handler (it is reentrant).
        self.events: queue.SimpleQueue[tuple[Job, StudentResult] | None] = queue.SimpleQueue()
        self.inotify = self.start_inotify() if options.inotify else None
        self.scanner = scan.Scanner(
            options.submitted, self.inotify, settle=options.settle, rescan=options.rescan
        )
        self.in_flight: dict[int, Job] = {}
        self.latest = {result.student_id: result for result in self.store.results()}
        self.summary_due, self.summary_at, self.busy_at = False, 0.0, 0.0
        self.nbgrader: NbgraderSync | None = None

    def run(self) -> int:
        """Watch until stopped; finish the work in flight, write the class reports; exit code."""
        self.options.out.mkdir(parents=True, exist_ok=True)
        recovered = self.store.recover()
        backend = make_backend(self.settings, self.options.scheduler)
        self.grades_file = GradesFile(self.options.out)
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
                self.record_event(self.events.get())
        finally:
            backend.close()
            self.grades_file.close()
            if self.inotify is not None:
                self.inotify.close()
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
            self.record_event(self.events.get(timeout=self.wait()))
            while True:
                self.record_event(self.events.get_nowait())
        except queue.Empty:
            pass
        if not self.idle():
            self.busy_at = time.monotonic()
        elif self.summary_due and time.monotonic() > max(
            self.summary_at, self.busy_at + self.options.summary_idle
        ):
            write_class_reports(self.options.out, self.class_results())
            self.summary_due, self.summary_at = False, time.monotonic() + self.options.summary_every

    def wait(self) -> float:
        """How long the loop may sleep when nothing arrives: a poll, or until a changed folder
        has settled or the next full scan or summary is due (inotify)."""
        due = self.scanner.next_due()
        if due is None:
            return self.options.poll
        if self.summary_due:
            due = min(due, self.options.summary_idle)
        return max(0.001, due)

    def start_inotify(self) -> Inotify | None:
        try:
            return Inotify(self.options.submitted, wake=lambda: self.events.put(None))
        except OSError as error:  # not Linux, or out of watches: polling still works
            log(f"inotify unavailable ({error}): polling every {self.options.poll:g} s")
            return None

    def record_event(self, event: tuple[Job, StudentResult] | None) -> None:
        if event is not None:
            self.record(*event)

    def reporter(self, job: Job):
        """The callback run in the grading thread: write the student's reports, hand over."""

        def done(result: StudentResult) -> None:
            try:
                write_student_reports(self.options.out, result, self.settings)
            except Exception as error:  # the row must still be recorded, with the reason
                result.grader_error = f"writing the reports failed: {error}"
            self.events.put((job, result))

        return done

    def record(self, job: Job, result: StudentResult) -> None:
        finished_at = self.store.finish(job, result)
        del self.in_flight[job.id]
        self.latest[job.student_id] = result
        if self.nbgrader is not None and not result.grader_error:
            self.nbgrader.graded(job.student_id)
        self.grades_file.update(self.class_results())
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
        self.events.put(None)  # wakes the loop at once, whatever it waits for


def watch(options: WatchOptions, settings: Settings) -> int:
    """Run a watcher in this (main) thread; SIGTERM and SIGINT stop it cleanly (exit 0)."""
    watcher = Watcher(options, settings)
    signal.signal(signal.SIGTERM, watcher.stop)
    signal.signal(signal.SIGINT, watcher.stop)
    return watcher.run()


def log(line: str) -> None:
    print(f"watch {time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)
