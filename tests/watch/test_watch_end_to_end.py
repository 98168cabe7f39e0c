"""`autograders watch` as instructors run it: a process that is killed, stopped and restarted
while students hand in, and never loses or double-grades a submission.

One watcher after another over the same class and database:
1. SIGKILL while a student is being graded;
2. a restart, stopped by SIGTERM while grading: it finishes that student and exits 0;
3. a student hands in again and a new student arrives; `--once` grades exactly those.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.watch.classes import expected_total, grades, make_class, replace_submission

pytestmark = pytest.mark.slow  # three watchers, each warming up torch: a minute or more

REPO = Path(__file__).resolve().parents[2]
STUDENTS = {
    "alice": "solution",
    "bob": "partials_swapped",
    "carol": "accumulates_grad_in_global",
    "dave": "ignores_grad_output",
}
WAIT = 300.0  # seconds: the warm-up is slow on a busy machine


def start_watcher(submitted: Path, out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "autograders", "watch", str(submitted), "--out", str(out)]
    command += ["--seed", "3", "--workers", "1", "--timeout", "5", *extra]
    return subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)


def rows(out: Path, state: str) -> list[tuple]:
    """(student, digest) of the database's submissions in `state`; [] before it exists."""
    if not (out / "watch.sqlite").exists():
        return []
    db = sqlite3.connect(out / "watch.sqlite")
    try:
        query = "SELECT student_id, digest FROM submissions WHERE state=?"
        return db.execute(query, (state,)).fetchall()
    except sqlite3.OperationalError:  # the watcher has not created its tables yet
        return []
    finally:
        db.close()


def wait_for(condition, watcher: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert watcher.poll() is None, watcher.stderr.read()
        assert time.monotonic() < deadline, "the watcher made no progress"
        time.sleep(0.05)


def grading_started(out: Path):
    return lambda: bool(rows(out, "grading"))


def test_killed_stopped_and_restarted_watchers_grade_each_submission_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    submitted = make_class(tmp_path / "submitted", STUDENTS, cache)
    out = tmp_path / "out"

    first = start_watcher(submitted, out)
    wait_for(grading_started(out), first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert not rows(out, "graded") or len(rows(out, "graded")) < len(STUDENTS)

    second = start_watcher(submitted, out)
    wait_for(lambda: bool(rows(out, "graded")) and bool(rows(out, "grading")), second)
    second.send_signal(signal.SIGTERM)
    _, log = second.communicate(timeout=WAIT)
    assert second.returncode == 0, log
    assert "recovered" in log and "graded " in log
    assert rows(out, "grading") == []  # what was in flight was finished, not dropped

    replace_submission(submitted, "bob", "solution", cache)
    make_class(tmp_path / "late", {"erin": "forgot_detach_on_grid"}, cache)
    (tmp_path / "late" / "erin").rename(submitted / "erin")
    third = start_watcher(submitted, out, "--once")
    _, log = third.communicate(timeout=WAIT)
    assert third.returncode == 0, log

    graded = rows(out, "graded")
    assert len(graded) == len(set(graded)), "a submission was graded twice"
    assert rows(out, "queued") == [] and rows(out, "grading") == []
    expected = {sid: expected_total(name) for sid, name in STUDENTS.items()}
    expected |= {"bob": expected_total("solution"), "erin": expected_total("forgot_detach_on_grid")}
    assert grades(out) == expected
    assert sorted(student for student, _ in graded).count("bob") == 2  # before and after
    for student in expected:
        assert (out / student / "results.json").is_file()
        assert (out / student / "feedback.html").is_file()


def test_watch_status_prints_the_queue(tmp_path: Path) -> None:
    submitted = make_class(tmp_path / "submitted", {"alice": "solution"}, tmp_path / "cache")
    out = tmp_path / "out"
    watcher = start_watcher(submitted, out, "--once")
    _, log = watcher.communicate(timeout=WAIT)
    assert watcher.returncode == 0, log
    assert "graded alice: 21/21" in log
    status = subprocess.run(
        [sys.executable, "-m", "autograders", "watch-status", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout.startswith("queued 0, grading 0, graded 1, superseded 0")
    assert "alice" in status.stdout and "21/21" in status.stdout


@pytest.mark.parametrize("detection", [(), ("--no-inotify",)], ids=["inotify", "polling"])
def test_a_student_handed_in_while_the_watcher_runs_is_graded(
    tmp_path: Path, detection: tuple[str, ...]
) -> None:
    cache = tmp_path / "cache"
    submitted = make_class(tmp_path / "submitted", {"alice": "solution"}, cache)
    make_class(tmp_path / "late", {"bob": "partials_swapped"}, cache)
    out = tmp_path / "out"
    watcher = start_watcher(submitted, out, *detection)
    try:
        wait_for(lambda: len(rows(out, "graded")) == 1, watcher)
        (tmp_path / "late" / "bob").rename(submitted / "bob")  # appears whole, while it runs
        wait_for(lambda: len(rows(out, "graded")) == 2, watcher)
    finally:
        watcher.send_signal(signal.SIGTERM)
        _, log = watcher.communicate(timeout=WAIT)
    assert watcher.returncode == 0, log
    assert grades(out) == {
        "alice": expected_total("solution"),
        "bob": expected_total("partials_swapped"),
    }
