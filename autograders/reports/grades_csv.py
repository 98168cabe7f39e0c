"""The class gradebook: `grades.csv`, one row per student, one column per autograded question.

Columns: `student_id`, the question ids in the order given, `total`, `max_total`, `status`.
Points are written without useless decimals ("2", "1.5"). A question a student has no check for
(only possible when the grader itself failed on them) is left empty, not 0: an empty cell says
"not graded", and the `status` column says why.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from autograders.reports import format_points
from autograders.results import StudentResult

# Spreadsheet programs run a cell starting with one of these as a formula (OWASP "CSV injection");
# the tab and carriage return variants get past some sanitisers that only look at the first four.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_grades_csv(
    path: Path, results: Sequence[StudentResult], question_ids: Sequence[str]
) -> None:
    """Write the gradebook to `path` (UTF-8, rows sorted by `student_id`).

    `max_total` is each result's own maximum, which is the assignment's maximum because the
    caller gives a missing notebook's checks 0 points instead of dropping them.
    Raises ValueError when a result has points for a question that is not in `question_ids`:
    its points would be in `total` but in no column, which is a grader bug, not a student's.
    """
    _check_known_questions(results, question_ids)
    with Path(path).open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(grades_header(question_ids))
        for result in sorted(results, key=lambda result: result.student_id):
            writer.writerow(grades_row(result, question_ids))


def grades_header(question_ids: Sequence[str]) -> list[str]:
    """The header row: `student_id`, the question ids, `total`, `max_total`, `status`, and
    `seeds` (each notebook's hidden-input seed, for instructors: students never see it)."""
    return ["student_id", *question_ids, "total", "max_total", "status", "seeds"]


def grades_row(result: StudentResult, question_ids: Sequence[str]) -> list[str]:
    """One student's row, every text cell neutralised against formula injection."""
    scores = result.question_scores()
    points = [format_points(scores[qid]) if qid in scores else "" for qid in question_ids]
    return [
        neutralise_formula(result.student_id),
        *points,
        format_points(result.total),
        format_points(result.max_total),
        neutralise_formula(result.status),
        " ".join(f"{notebook}={seed}" for notebook, seed in sorted(result.seeds.items())),
    ]


def neutralise_formula(text: str) -> str:
    """Prefix `'` to text a spreadsheet would run as a formula ("=HYPERLINK(...)", "-1+1")."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _check_known_questions(results: Sequence[StudentResult], question_ids: Sequence[str]) -> None:
    known = set(question_ids)
    for result in results:
        unknown = sorted(set(result.question_scores()) - known)
        if unknown:
            raise ValueError(
                f"{result.student_id}: checks for questions without a column: {unknown}"
            )
