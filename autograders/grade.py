"""`python -m autograders grade`: grade a class folder and write every report.

Students are graded by a pool of worker threads, twice as many as the sandbox's slots; each
notebook runs on a free slot (`sandbox.host.slots`), and the children do the work, so the
threads mostly wait. Every student folder gets a row, and
results are written even when the grader fails on a student (the row says so).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograders import problems
from autograders.pipeline import grade_student
from autograders.reports.feedback import write_feedback
from autograders.reports.grades_csv import write_grades_csv
from autograders.reports.gradescope import write_results_json
from autograders.reports.progress import Progress
from autograders.reports.summary import write_summary_png
from autograders.results import StudentResult
from autograders.sandbox.host.pool import Sandbox
from autograders.settings import Settings
from autograders.submission import student_folders


def grade_class(
    *,
    submitted: Path,
    out: Path,
    settings: Settings,
    sandbox: Sandbox | None,
    progress: bool | None = None,
    scheduler: str | None = None,
) -> list[StudentResult]:
    """Grade every student folder under `submitted` and write the reports into `out`.

    `sandbox` has `settings.workers` slots (see `cli.main`, which starts it early). With
    `scheduler` (a Dask scheduler's address) the students are graded on that cluster instead,
    each worker with its own sandbox (`autograders.distributed`), and `sandbox` may be None;
    either way this process writes every report.
    """
    folders = student_folders(submitted)
    out.mkdir(parents=True, exist_ok=True)
    with Progress(len(folders), enabled=progress) as bar:

        def report(result: StudentResult) -> None:
            write_student_reports(out, result, settings)
            bar.advance(result.student_id)

        if scheduler is not None:
            from autograders.distributed.client import grade_on_cluster

            results = grade_on_cluster(scheduler, folders, settings, report)
        else:
            assert sandbox is not None, "without a scheduler, grading needs a sandbox"
            results = grade_locally(folders, settings, sandbox, report)
    write_class_reports(out, results)
    return results


def grade_locally(
    folders: dict[str, Path],
    settings: Settings,
    sandbox: Sandbox,
    report: Callable[[StudentResult], None],
) -> list[StudentResult]:
    """Grade `folders` (student id -> folder) with worker threads, each notebook on a free
    slot; `report` is called with each result as it comes (from the worker threads)."""

    def grade_one(student_id: str) -> StudentResult:
        result = grade_one_student(student_id, folders[student_id], sandbox, settings)
        report(result)
        return result

    with ThreadPoolExecutor(students_in_flight(settings.workers)) as pool:
        return list(pool.map(grade_one, folders))


def students_in_flight(workers: int) -> int:
    """Students graded at once on `workers` slots: twice as many, so that while one is read,
    judged or reported (no slot needed) the slots run the notebooks of another."""
    return 2 * workers


def grade_one_student(
    student_id: str, folder: Path, sandbox: Sandbox, settings: Settings
) -> StudentResult:
    """Grade one student, each notebook on a free slot of `sandbox`; never raises: a grader
    bug becomes a result whose `grader_error` says so (never a silent zero)."""
    try:
        return grade_student(student_id, folder, sandbox, settings)
    except Exception as error:
        traceback.print_exc()
        return StudentResult(student_id, grader_error=f"{type(error).__name__}: {error}")


def write_student_reports(out: Path, result: StudentResult, settings: Settings) -> None:
    """results.json and feedback.html; then the result lets go of its notebooks' views (only
    the feedback page needs them), also when writing failed, so that a class's results held
    until `write_class_reports` stay small: memory flat in the class's size."""
    folder = out / result.student_id
    release = Path(settings.release.folder) if settings.release else None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_results_json(folder / "results.json", result)
        write_feedback(folder / "feedback.html", result, diagrams=release)
    finally:
        result.views = {}


def write_class_reports(out: Path, results: list[StudentResult]) -> None:
    write_grades_csv(out / "grades.csv", results, problems.QUESTION_IDS)
    write_summary_png(out / "summary.png", results, problems.QUESTION_IDS, problems.max_points())
