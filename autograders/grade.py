"""`python -m autograders grade`: grade a class folder and write every report.

Students are graded by a pool of worker threads, each driving one sandboxed child at a time;
the children do the work, so the threads mostly wait. Every student folder gets a row, and
results are written even when the grader fails on a student (the row says so).
"""

from __future__ import annotations

import queue
import traceback
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
from autograders.sandbox.pool import Sandbox
from autograders.settings import Settings
from autograders.submission import student_folders


def grade_class(
    *,
    submitted: Path,
    out: Path,
    settings: Settings,
    sandbox: Sandbox,
    progress: bool | None = None,
) -> list[StudentResult]:
    """Grade every student folder under `submitted` and write the reports into `out`.

    `sandbox` has `settings.workers` slots (see `cli.main`, which starts it early).
    """
    folders = student_folders(submitted)
    out.mkdir(parents=True, exist_ok=True)
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(settings.workers):
        slots.put(slot)
    with (
        Progress(len(folders), enabled=progress) as bar,
        ThreadPoolExecutor(settings.workers) as pool,
    ):

        def grade_one(student_id: str) -> StudentResult:
            slot = slots.get()
            try:
                result = grade_student(student_id, folders[student_id], sandbox, slot, settings)
            except Exception as error:  # a grader bug: say so in the row, never a silent zero
                traceback.print_exc()
                result = StudentResult(student_id, grader_error=f"{type(error).__name__}: {error}")
            finally:
                slots.put(slot)
            write_student_reports(out, result)
            bar.advance(student_id)
            return result

        results = list(pool.map(grade_one, folders))
    write_class_reports(out, results)
    return results


def write_student_reports(out: Path, result: StudentResult) -> None:
    folder = out / result.student_id
    folder.mkdir(parents=True, exist_ok=True)
    write_results_json(folder / "results.json", result)
    write_feedback(folder / "feedback.html", result)


def write_class_reports(out: Path, results: list[StudentResult]) -> None:
    write_grades_csv(out / "grades.csv", results, problems.QUESTION_IDS)
    write_summary_png(out / "summary.png", results, problems.QUESTION_IDS, problems.max_points())
