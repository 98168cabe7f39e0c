"""Grading on a real Dask cluster: a scheduler and worker processes on 127.0.0.1, started with
Dask's own commands, each worker with its own warm sandbox (the plugin).

The class is graded with `grade_class(scheduler=...)`, and one worker is SIGKILLed while it
grades: its students must be graded elsewhere, each student must get exactly one row with the
total the corpus expects, and the dead worker's cgroups must be removed by its replacement.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograders.distributed.stale import stale_groups
from autograders.sandbox.host import cgroups
from autograders.settings import Settings
from tests.watch.classes import expected_total, grades, make_class

pytestmark = pytest.mark.slow  # a cluster of warm workers and a class: a minute or more
distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STUDENTS = {
    f"s{n}": name
    for n, name in enumerate(
        ["solution", "partials_swapped", "ignores_grad_output", "accumulates_grad_in_global"] * 2
    )
}


def dask_command(*args: str, log: Path) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(REPO), "PATH": f"{BIN}:{os.environ['PATH']}"}
    output = log.open("w")
    return subprocess.Popen(
        [str(BIN / "dask"), *args], cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """The scheduler's address; two single-threaded workers under one nanny process."""
    home = tmp_path_factory.mktemp("cluster")
    address_file = home / "scheduler.json"
    common = ("--no-dashboard", "--host", "127.0.0.1")
    scheduler = dask_command(
        "scheduler", "--port", "0", "--scheduler-file", str(address_file), *common,
        log=home / "scheduler.log",
    )  # fmt: skip
    workers = dask_command(
        "worker", "--scheduler-file", str(address_file), "--nworkers", "2", "--nthreads", "1",
        "--memory-limit", "0", *common, log=home / "workers.log",
    )  # fmt: skip
    try:
        with distributed.Client(scheduler_file=str(address_file), timeout="120s") as client:
            client.wait_for_workers(2, timeout=120)
            yield client.scheduler.address
    finally:
        for process in (workers, scheduler):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def kill_a_busy_worker(address: str) -> int:
    """SIGKILL one worker process that is grading a student; its pid."""
    with distributed.Client(address) as client:
        busy = [worker for worker, keys in client.processing().items() if keys]
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
    os.kill(pid, signal.SIGKILL)
    return pid


def kill_after_first_result(address: str, out: Path, killed: list[int]) -> None:
    """Once the first report is written (every worker busy with the next students), kill one."""
    deadline = time.monotonic() + 600
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.append(kill_a_busy_worker(address))


def test_a_worker_killed_mid_run_costs_no_row(cluster: str, tmp_path: Path) -> None:
    from autograders.grade import grade_class

    submitted = make_class(tmp_path / "submitted", STUDENTS, tmp_path / "cache")
    out = tmp_path / "out"
    killed: list[int] = []
    killer = threading.Thread(target=kill_after_first_result, args=(cluster, out, killed))
    killer.start()
    results = grade_class(
        submitted=submitted, out=out, settings=Settings(seed=5), sandbox=None, scheduler=cluster
    )
    killer.join()
    assert killed, "no worker was killed"
    assert sorted(r.student_id for r in results) == sorted(STUDENTS)
    assert [r.grader_error for r in results] == [""] * len(STUDENTS)
    assert grades(out) == {sid: expected_total(name) for sid, name in STUDENTS.items()}
    assert_feedback_shows_the_notebooks(out, STUDENTS)
    assert [r.views for r in results] == [{}] * len(STUDENTS)  # dropped once written
    assert_cgroups_of_dead_worker_removed(killed[0])


def assert_feedback_shows_the_notebooks(out: Path, students: dict[str, str]) -> None:
    """The workers' plain-data results carried each notebook's view to the client's page."""
    for student in students:
        page = (out / student / "feedback.html").read_text(encoding="utf-8")
        assert page.count('<details class="notebook">') == 3, student
        assert 'id="answer-derivative_at"' in page, student


def assert_cgroups_of_dead_worker_removed(pid: int) -> None:
    try:
        _, bases = cgroups.find_bases(memory=False)
    except OSError:
        pytest.skip("no cgroups on this machine: nothing to clean up")
    deadline = time.monotonic() + 60  # the nanny restarts the worker, whose plugin sweeps
    while any(base / f"autograders-{pid}" in stale_groups(base) for base in bases):
        assert time.monotonic() < deadline, "the killed worker's cgroups are still there"
        time.sleep(0.2)


def test_watch_grades_on_the_cluster(cluster: str, tmp_path: Path) -> None:
    students = {"alice": "solution", "bob": "partials_swapped"}
    submitted = make_class(tmp_path / "submitted", students, tmp_path / "cache")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograders", "watch", str(submitted), "--out", str(out)]
    command += ["--seed", "5", "--scheduler", cluster, "--once"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert grades(out) == {sid: expected_total(name) for sid, name in students.items()}
    assert_feedback_shows_the_notebooks(out, students)
