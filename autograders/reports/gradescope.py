"""One student's `results.json` in Gradescope's autograder format.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format"),
described for our own tests by `gradescope_schema.json` next to this file.

One Gradescope test per check (autograded test cell), numbered "<question>.<check>" in rubric
order, tagged with its question id so partial credit per question stays visible. Everything shown
to students is plain text (`name_format`/`output_format` "text"): Gradescope does not render it
as HTML, so untrusted student output needs no escaping here. The grader's own error details go to
`extra_data` (instructors only); students are only told that the grader failed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from autograders.reports import format_points, notebook_status_lines
from autograders.results import CheckResult, StudentResult

GRADESCOPE_SCHEMA_PATH = Path(__file__).with_name("gradescope_schema.json")

GRADER_FAILED_TEXT = (
    "The autograder itself failed on this submission. This is not your fault: "
    "your instructor has the details and will grade it."
)


def write_results_json(path: Path, result: StudentResult) -> None:
    """Write `gradescope_results(result)` to `path` as strict JSON (UTF-8, no NaN)."""
    text = json.dumps(gradescope_results(result), indent=2, ensure_ascii=False, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def gradescope_results(result: StudentResult) -> dict:
    """The results.json document for one student.

    `score` is the sum of the tests' scores. Raises ValueError when a check's points are not
    finite: that is a grader bug, and Gradescope would reject the file anyway.
    """
    _check_finite(result)
    return {
        "score": _rounded(result.total),
        "execution_time": round(result.seconds) if math.isfinite(result.seconds) else 0,
        "output": submission_summary(result),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": gradescope_tests(result.checks),
        "extra_data": {
            "student_id": result.student_id,
            "max_score": _rounded(result.max_total),
            "notebooks": dict(result.notebooks),
            "grader_error": result.grader_error,
        },
    }


def submission_summary(result: StudentResult) -> str:
    """The text shown above the tests: the score and each notebook's status (never the seed of
    the hidden inputs, which students do not see)."""
    lines = [f"Autograded score: {format_points(result.total)} / {format_points(result.max_total)}"]
    if result.grader_error:
        lines.append(GRADER_FAILED_TEXT)
    lines += ["", "Notebooks:", *(f"  {line}" for line in notebook_status_lines(result))]
    return "\n".join(lines)


def gradescope_tests(checks: list[CheckResult]) -> list[dict]:
    """One test per check, numbered "1.1", "1.2", "2.1"... by question, in the checks' order."""
    question_numbers: dict[str, int] = {}
    checks_seen: dict[str, int] = {}
    tests = []
    for check in checks:
        question_number = question_numbers.setdefault(check.question_id, len(question_numbers) + 1)
        checks_seen[check.question_id] = checks_seen.get(check.question_id, 0) + 1
        tests.append(_test(check, f"{question_number}.{checks_seen[check.question_id]}"))
    return tests


def check_output_text(check: CheckResult) -> str:
    """What went wrong, the likely mistake and what the student's code printed, as plain text."""
    parts = [check.message or ("Passed." if check.passed else "Failed.")]
    if check.hint:
        parts.append(f"Likely mistake: {check.hint}")
    if check.output:
        parts.append(f"Your code printed:\n{check.output}")
    return "\n\n".join(parts)


def _test(check: CheckResult, number: str) -> dict:
    return {
        "name": check.title,
        "name_format": "text",
        "number": number,
        "score": _rounded(check.points),
        "max_score": _rounded(check.max_points),
        "status": "passed" if check.passed else "failed",
        "output": check_output_text(check),
        "output_format": "text",
        "visibility": "visible",
        "tags": [check.question_id],
    }


def _rounded(points: float) -> float:
    # Sums of floats such as 0.1 + 0.2 would otherwise show as 0.30000000000000004.
    return round(points, 4) + 0.0


def _check_finite(result: StudentResult) -> None:
    for check in result.checks:
        if not (math.isfinite(check.points) and math.isfinite(check.max_points)):
            raise ValueError(
                f"{result.student_id}: check {check.test_id!r} has non-finite points "
                f"({check.points!r} of {check.max_points!r})"
            )
