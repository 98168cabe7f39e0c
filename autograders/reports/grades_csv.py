"""The class gradebook: `grades.csv`, one row per student, one column per autograded question.

Columns: `student_id`, the question ids in the order given, `total`, `max_total`, `status`,
`seeds`, then one column per question graded by hand, holding "pending" (the grader never sees
its points; nbgrader's formgrader does), and `max_with_hand_graded`, the assignment's whole
maximum. `total` and `max_total` count the autograded points only.
Points are written without useless decimals ("2", "1.5"). A question a student has no check for
(only possible when the grader itself failed on them) is left empty, not 0: an empty cell says
"not graded", and the `status` column says why.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from autograders.reports import format_points, registry_hand_graded
from autograders.results import StudentResult

# Spreadsheet programs run a cell starting with one of these as a formula (OWASP "CSV injection");
# the tab and carriage return variants get past some sanitisers that only look at the first four.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_grades_csv(
    path: Path,
    results: Sequence[StudentResult],
    question_ids: Sequence[str],
    *,
    hand_graded: Mapping[str, float] | None = None,
) -> None:
    """Write the gradebook to `path` (UTF-8, rows sorted by `student_id`).

    `max_total` is each result's own maximum, which is the assignment's maximum because the
    caller gives a missing notebook's checks 0 points instead of dropping them.
    Raises ValueError when a result has points for a question that is not in `question_ids`:
    its points would be in `total` but in no column, which is a grader bug, not a student's.
    `hand_graded` maps the questions graded by hand to their points (default: the registry's).
    """
    _check_known_questions(results, question_ids)
    hand = registry_hand_graded() if hand_graded is None else dict(hand_graded)
    with Path(path).open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(grades_header(question_ids, hand))
        for result in sorted(results, key=lambda result: result.student_id):
            writer.writerow(grades_row(result, question_ids, hand))


def grades_header(question_ids: Sequence[str], hand_graded: Mapping[str, float] = {}) -> list[str]:
    """The header row: `student_id`, the question ids, `total`, `max_total`, `status`, `seeds`
    (each notebook's hidden-input seed, for instructors: students never see it), then the
    hand-graded questions and `max_with_hand_graded` when there are any."""
    header = ["student_id", *question_ids, "total", "max_total", "status", "seeds"]
    return header + ([*hand_graded, "max_with_hand_graded"] if hand_graded else [])


def grades_row(
    result: StudentResult, question_ids: Sequence[str], hand_graded: Mapping[str, float] = {}
) -> list[str]:
    """One student's row, every text cell neutralised against formula injection."""
    scores = result.question_scores()
    points = [format_points(scores[qid]) if qid in scores else "" for qid in question_ids]
    row = [
        neutralise_formula(result.student_id),
        *points,
        format_points(result.total),
        format_points(result.max_total),
        neutralise_formula(result.status),
        " ".join(f"{notebook}={seed}" for notebook, seed in sorted(result.seeds.items())),
    ]
    if hand_graded:
        whole = result.max_total + sum(hand_graded.values())
        row += ["pending"] * len(hand_graded) + [format_points(whole)]
    return row


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
