"""The grader against the corpus: every named submission in tests/corpus, graded for real.

One session fixture builds the class from the release notebooks, runs the real CLI once as a
subprocess (`python -m autograders grade ... --workers 2 --timeout 5 --seed 7`) and records
what happened around it: course files, the home folder, leftover processes, a listening port,
the output folder a little after grading. The tests then read only files and those records.

Course files are checked by content (hashes of source/, release/ and nbgrader_config.py, a
scan of the repository for the escape mark, the gradebook paths the attacks aim at) rather
than by `git status`, because other work may change the tree while the class is graded.
"""

from __future__ import annotations

import contextlib
import csv
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import psutil
import pytest

from autograders import problems
from autograders.reports.gradescope import GRADESCOPE_SCHEMA_PATH
from tests.corpus import CATEGORIES, CORPUS
from tests.corpus.build import build_class
from tests.corpus.escapes import BACKGROUND_MARKER, LISTEN_PORT, TAMPER_MARK
from tests.corpus.spec import NOTEBOOK_OF, POINTS, THREATS, Submission
from tests.corpus.watch import (
    Listener,
    course_digest,
    digest,
    files_with_mark,
    home_state,
    marked_processes,
    planted_files,
)

slow = pytest.mark.slow  # the tests that need the class graded

ROOT = Path(__file__).resolve().parents[2]
SEED = 7
GRADE = [sys.executable, "-m", "autograders", "grade"]
OPTIONS = ["--workers", "2", "--timeout", "5", "--seed", str(SEED)]
NOT_SCANNED = (".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache")
GRADEBOOKS = (
    ROOT / "gradebook.db",
    ROOT.parent / "gradebook.db",
    ROOT / "submitted" / "gradebook.db",
    Path("/tmp/gradebook.db"),
)
REGRADED = "partials_swapped"  # regraded alone: partial scores, hidden inputs in its messages
BY_NAME = {submission.name: submission for submission in CORPUS}


@dataclass
class ClassRun:
    submitted: Path
    out: Path
    returncode: int
    stderr: str
    seconds: float
    started: float
    course_before: dict[str, str]
    course_after: dict[str, str]
    gradebooks_before: list[Path]
    gradebooks_after: list[Path]
    home_before: dict[str, list[str]]
    home_after: dict[str, list[str]]
    planted: list[Path]
    processes_at_exit: list[str]
    out_at_exit: dict[str, str]
    out_later: dict[str, str]
    connections: list[tuple[str, int]] | None
    rows: dict[str, dict[str, str]] = field(default_factory=dict)


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory) -> ClassRun:
    base = tmp_path_factory.mktemp("corpus")  # the detached processes aim at this name
    submitted = build_class(base / "submitted", CORPUS)
    out = base / "out"
    home = Path.home()
    course_before, home_before = course_digest(ROOT), home_state(home)
    gradebooks_before = [path for path in GRADEBOOKS if path.exists()]
    listener = Listener(LISTEN_PORT)
    started = time.time()
    try:
        run = subprocess.run(
            [*GRADE, str(submitted), "--out", str(out), *OPTIONS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        listener.close()
    seconds = time.time() - started
    leftovers = marked_processes()
    out_at_exit = digest(out)
    time.sleep(2.5)  # the detached processes would write about now
    result = ClassRun(
        submitted,
        out,
        run.returncode,
        run.stderr,
        seconds,
        started,
        course_before,
        course_digest(ROOT),
        gradebooks_before,
        [path for path in GRADEBOOKS if path.exists()],
        home_before,
        home_state(home),
        planted_files(home, Path(sys.prefix)),
        [" ".join(p.info["cmdline"] or []) for p in leftovers],
        out_at_exit,
        digest(out),
        listener.connections if listener.bound else None,
    )
    for process in leftovers:  # started by this run's submissions: end them, one by one
        with contextlib.suppress(psutil.Error):
            process.kill()
    if (out / "grades.csv").exists():
        with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
            result.rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    return result


def results_json(run: ClassRun, name: str) -> dict:
    return json.loads((run.out / name / "results.json").read_text(encoding="utf-8"))


def scores_of(row: dict[str, str]) -> dict[str, float | None]:
    return {question: float(row[question]) if row[question] != "" else None for question in POINTS}


def feedback_for(results: dict, question: str) -> str:
    return "\n".join(
        f"    {test['number']} {test['score']}/{test['max_score']}: "
        + test["output"][:400].replace("\n", " | ")
        for test in results["tests"]
        if question in test.get("tags", [])
    )


# The corpus itself


def test_the_corpus_covers_every_threat() -> None:
    covered = {threat for submission in CORPUS for threat in submission.covers}
    assert covered == set(THREATS), f"no submission for {sorted(set(THREATS) - covered)}"
    assert len(CORPUS) >= 45
    assert all(group for group in CATEGORIES.values())


def test_the_watchers_see_what_they_watch(tmp_path: Path) -> None:
    """The after-run checks below are not vacuous: each one sees the thing it looks for."""
    listener = Listener(LISTEN_PORT + 1)
    try:
        if listener.bound:
            socket.create_connection(("127.0.0.1", LISTEN_PORT + 1), timeout=2).close()
            time.sleep(0.5)
            assert listener.connections
    finally:
        listener.close()
    (tmp_path / "report.json").write_text("{}" + TAMPER_MARK)
    assert files_with_mark(tmp_path) == [tmp_path / "report.json"]
    sleeper = subprocess.Popen(
        [sys.executable, "-c", f"# {BACKGROUND_MARKER}\nimport time; time.sleep(30)"]
    )
    try:
        time.sleep(0.5)
        assert sleeper.pid in [process.pid for process in marked_processes()]
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_contract_is_the_registry() -> None:
    assert sum(POINTS.values()) == sum(p.points for p in problems.PROBLEMS) > 0
    assert set(NOTEBOOK_OF) == set(problems.QUESTION_IDS)


# The run


@slow
def test_the_cli_exits_0(graded: ClassRun) -> None:
    assert graded.returncode == 0, (
        f"exit {graded.returncode} after {graded.seconds:.0f} s\n" + graded.stderr[-3000:]
    )


@slow
def test_every_student_gets_a_row_and_a_valid_results_json(graded: ClassRun) -> None:
    schema = json.loads(GRADESCOPE_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert set(graded.rows) == set(BY_NAME), "grades.csv rows differ from the corpus"
    for name, row in graded.rows.items():
        results = results_json(graded, name)
        jsonschema.validate(results, schema)
        assert float(row["max_total"]) == sum(POINTS.values()), f"{name}: {row['max_total']}"
        assert results["score"] == pytest.approx(float(row["total"])), name
        assert (graded.out / name / "feedback.html").is_file(), name


@slow
@pytest.mark.parametrize("submission", CORPUS, ids=lambda s: s.name)
def test_scores(graded: ClassRun, submission: Submission) -> None:
    """Each question scores what the corpus says, no more and no less."""
    row = graded.rows.get(submission.name)
    assert row is not None, f"no row for {submission.name} in grades.csv"
    got, want = scores_of(row), submission.expected_scores()
    wrong = [q for q in POINTS if got[q] != want[q]]
    if wrong:
        results = results_json(graded, submission.name)
        lines = [
            f"  {q}: expected {want[q]:g}, got {got[q]}\n{feedback_for(results, q)}" for q in wrong
        ]
        pytest.fail(
            f"{submission.name} (status: {row['status']}):\n" + "\n".join(lines), pytrace=False
        )


@slow
@pytest.mark.parametrize(
    "submission", [s for s in CORPUS if s.feedback or s.status != "graded"], ids=lambda s: s.name
)
def test_feedback_names_the_problem(graded: ClassRun, submission: Submission) -> None:
    results = results_json(graded, submission.name)
    for question, words in submission.feedback.items():
        text = feedback_for(results, question)
        assert words.lower() in text.lower(), f"{question}: {words!r} not in\n{text}"
    assert submission.status.lower() in graded.rows[submission.name]["status"].lower()


# After the run: nothing outside the output folder changed, nothing is left running


@slow
def test_course_files_unchanged(graded: ClassRun) -> None:
    changed = sorted(
        k
        for k in set(graded.course_before) | set(graded.course_after)
        if graded.course_before.get(k) != graded.course_after.get(k)
    )
    assert not changed, f"course files changed during grading: {changed}"
    assert graded.gradebooks_after == graded.gradebooks_before
    marked = files_with_mark(ROOT, NOT_SCANNED, newer_than=graded.started)
    assert not marked, f"files written by a submission: {marked}"


@slow
def test_home_and_venv_unchanged(graded: ClassRun) -> None:
    for path in graded.planted:
        path.unlink(missing_ok=True)
    assert not graded.planted, f"planted start-up files (removed now): {graded.planted}"
    assert graded.home_after == graded.home_before


@slow
def test_no_process_outlives_the_run(graded: ClassRun) -> None:
    assert not graded.processes_at_exit, f"left running: {graded.processes_at_exit}"
    assert not marked_processes()


@slow
def test_output_folder_unchanged_after_the_run(graded: ClassRun) -> None:
    assert graded.out_later == graded.out_at_exit
    assert not files_with_mark(graded.out), "a report holds the escape mark"


@slow
def test_no_network_connection_reached_the_host(graded: ClassRun) -> None:
    if graded.connections is None:
        pytest.skip(f"port {LISTEN_PORT} was busy: only the scores show the network is closed")
    assert graded.connections == []


@slow
def test_extra_files_were_never_run(graded: ClassRun) -> None:
    assert not sorted(graded.submitted.rglob("EXECUTED-*"))


@slow
def test_regrading_one_student_reproduces_the_run(graded: ClassRun, tmp_path: Path) -> None:
    again = subprocess.run(
        [*GRADE, str(graded.submitted / REGRADED), "--out", str(tmp_path), *OPTIONS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    before, after = (
        results_json(graded, REGRADED),
        json.loads((tmp_path / REGRADED / "results.json").read_text(encoding="utf-8")),
    )
    assert row["student_id"] == REGRADED
    assert scores_of(row) == scores_of(graded.rows[REGRADED])
    assert row["seeds"] == graded.rows[REGRADED]["seeds"]
    assert [(t["number"], t["score"], t["output"]) for t in after["tests"]] == [
        (t["number"], t["score"], t["output"]) for t in before["tests"]
    ]
