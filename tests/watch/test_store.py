"""The watcher's durable queue, on a real SQLite file: what is queued, claimed, recovered."""

from __future__ import annotations

from pathlib import Path

from autograders.results import CheckResult, StudentResult
from autograders.watch.store import Store


def result(student_id: str, points: float) -> StudentResult:
    check = CheckResult("q_test", "q", "derivatives", "q: values", points, 2.0, "", "", "")
    return StudentResult(student_id, seeds={"derivatives": 7}, checks=[check], seconds=0.1)


def test_the_same_content_is_queued_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    assert store.offer("alice", "d1")
    assert not store.offer("alice", "d1")
    assert store.counts()["queued"] == 1


def test_a_newer_submission_supersedes_one_still_waiting(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    store.offer("alice", "d1")
    store.offer("alice", "d2")
    (job,) = store.claim(5, set())
    assert (job.student_id, job.digest) == ("alice", "d2")
    assert store.counts()["superseded"] == 1


def test_going_back_to_older_content_is_graded_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    for digest in ("d1", "d2"):
        store.offer("alice", digest)
        (job,) = store.claim(1, set())
        store.finish(job, result("alice", 1.0))
    assert store.offer("alice", "d1")  # the reports show d2's result: d1 needs them back


def test_claims_skip_busy_students_and_respect_the_limit(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    for student in ("alice", "bob", "carol"):
        store.offer(student, "d")
    jobs = store.claim(1, {"alice"})
    assert [job.student_id for job in jobs] == ["bob"]
    assert store.claim(0, set()) == []


def test_work_in_flight_when_killed_is_queued_again_on_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    store.offer("alice", "d1")
    store.offer("bob", "d1")
    store.claim(2, set())
    store.db.close()  # no clean shutdown: the rows stay "grading"
    restarted = Store(tmp_path / "q.sqlite")
    assert restarted.recover() == 2
    assert sorted(job.student_id for job in restarted.claim(5, set())) == ["alice", "bob"]


def test_recovery_keeps_only_each_students_newest_submission(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    store.offer("alice", "d1")
    store.claim(1, set())  # d1 in flight when the watcher dies ...
    store.offer("alice", "d2")  # ... and d2 already waits
    store.db.close()
    restarted = Store(tmp_path / "q.sqlite")
    restarted.recover()
    assert [job.digest for job in restarted.claim(5, set())] == ["d2"]


def test_results_survive_a_restart_as_plain_data(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite")
    store.offer("alice", "d1")
    (job,) = store.claim(1, set())
    store.finish(job, result("alice", 1.5))
    store.close()
    (back,) = Store(tmp_path / "q.sqlite").results()
    assert back == result("alice", 1.5)
    assert back.total == 1.5 and back.status == "graded"
