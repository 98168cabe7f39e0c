"""results.json for Gradescope: scores per question at once, the details after the due date.

Every check of this assignment runs on hidden inputs, and its message, likely mistake and
printed output describe what the hidden test did. So the document has two kinds of test:

    "1.0"  one summary per question, `visible`: points, and which checks passed (their titles)
    "1.1"  one per check, `after_due_date`: the message, likely mistake and printed output,
           without points (Gradescope's "informational check" with a passed or failed status:
           the points are in the summary, nothing is counted twice)

The top-level `score` is the total. Gradescope hides the total from students while some tests
are hidden ("If test cases are hidden, students will not be able to see their total score",
its specification), so the top-level `output`, visible, says the score and each notebook's
status. Built on `autograders.reports.gradescope`, so both share every field.
"""

from __future__ import annotations

import json

from autograders.reports import format_points
from autograders.reports.gradescope import GRADESCOPE_SCHEMA_PATH, gradescope_results
from autograders.results import CheckResult, StudentResult

DETAILS_VISIBILITY = "after_due_date"
DETAILS_NOTE = (
    "What each check tried and what went wrong (messages, likely mistakes, what your code "
    "printed) is shown after the due date."
)


def gradescope_run_results(result: StudentResult, submission: dict, note: str = "") -> dict:
    """The results.json document for one Gradescope submission.

    `submission` (the Gradescope submission id, attempt and users) goes to `extra_data`, for
    instructors; `note`, when given, is shown to the student above the scores.
    """
    document = gradescope_results(result)
    details = document["tests"]
    for test in details:
        del test["score"], test["max_score"]
        test.update(visibility=DETAILS_VISIBILITY, name=f"{test['name']} (details)")
    document["tests"] = question_summaries(result.checks) + details
    document["output"] = "\n\n".join(
        part for part in (note, document["output"], DETAILS_NOTE) if part
    )
    document["extra_data"]["gradescope"] = submission
    return document


def run_results_schema() -> dict:
    """The JSON schema of these documents: the project's results.json schema, whose
    `extra_data` also holds the runner's `gradescope` object (submission id, attempt), and
    whose detail tests carry no points."""
    schema = json.loads(GRADESCOPE_SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"]["extra_data"]["properties"]["gradescope"] = {"type": "object"}
    test = schema["$defs"]["test"]
    test["required"] = [key for key in test["required"] if key not in ("score", "max_score")]
    return schema


def question_summaries(checks: list[CheckResult]) -> list[dict]:
    """One visible test per question, numbered "<question>.0", with the question's points."""
    by_question: dict[str, list[CheckResult]] = {}
    for check in checks:
        by_question.setdefault(check.question_id, []).append(check)
    return [
        summary_test(question_id, question_checks, number)
        for number, (question_id, question_checks) in enumerate(by_question.items(), start=1)
    ]


def summary_test(question_id: str, checks: list[CheckResult], number: int) -> dict:
    points = sum(check.points for check in checks)
    max_points = sum(check.max_points for check in checks)
    passed = sum(check.passed for check in checks)
    lines = [
        f"{'passed' if check.passed else 'failed'}  {check.title} "
        f"({format_points(check.points)} / {format_points(check.max_points)})"
        for check in checks
    ]
    return {
        "name": f"{question_id}: {passed} of {len(checks)} checks passed",
        "name_format": "text",
        "number": f"{number}.0",
        "score": round(points, 4) + 0.0,
        "max_score": round(max_points, 4) + 0.0,
        "status": "passed" if passed == len(checks) else "failed",
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": "visible",
        "tags": [question_id],
    }


def failure_results(message: str, grader_error: str, submission: dict) -> dict:
    """The document written when grading could not even start or crashed: 0 points, the
    student told that the autograder failed, the instructor given the error in `extra_data`."""
    return {
        "score": 0.0,
        "output": message,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {
            "student_id": str(submission.get("student_id", "")),
            "max_score": 0.0,
            "notebooks": {},
            "grader_error": grader_error,
            "gradescope": submission,
        },
    }
