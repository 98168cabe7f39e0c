"""The gradebook CSV: its columns, its rows, and its defence against formula injection."""

from __future__ import annotations

import csv

import pytest

from autograders.reports.grades_csv import neutralise_formula, write_grades_csv
from autograders.results import GRADED, CheckResult, StudentResult

QUESTIONS = ["derivative_at", "square_backward"]


def check(question: str, points: float, max_points: float, notebook: str = "intro") -> CheckResult:
    return CheckResult(f"{question}_test", question, notebook, question, points, max_points)


def student(student_id: str, *checks: CheckResult, **fields) -> StudentResult:
    notebooks = fields.pop("notebooks", {"intro": GRADED, "custom_backward": GRADED})
    return StudentResult(
        student_id, seeds={"derivatives": 7}, checks=list(checks), notebooks=notebooks, **fields
    )


def read_rows(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_one_row_per_student_sorted_with_points_without_useless_decimals(tmp_path):
    results = [
        student(
            "zoe",
            check("derivative_at", 1, 1),
            check("derivative_at", 1, 1),
            check("square_backward", 1.5, 3),
        ),
        student(
            "adam",
            check("derivative_at", 0, 1),
            check("derivative_at", 1, 1),
            check("square_backward", 3, 3),
        ),
    ]
    write_grades_csv(tmp_path / "grades.csv", results, QUESTIONS, hand_graded={})

    assert read_rows(tmp_path / "grades.csv") == [
        ["student_id", "derivative_at", "square_backward", "total", "max_total", "status", "seeds"],
        ["adam", "1", "3", "4", "5", "graded", "derivatives=7"],
        ["zoe", "2", "1.5", "3.5", "5", "graded", "derivatives=7"],
    ]


def test_hand_graded_questions_are_pending_and_counted_only_in_the_whole_maximum(tmp_path):
    results = [student("adam", check("derivative_at", 1, 2), check("square_backward", 3, 3))]
    write_grades_csv(tmp_path / "grades.csv", results, QUESTIONS, hand_graded={"why": 1.5})

    header, row = read_rows(tmp_path / "grades.csv")
    assert header[-2:] == ["why", "max_with_hand_graded"]
    assert dict(zip(header, row, strict=True)) | {"seeds": ""} == {
        "student_id": "adam",
        "derivative_at": "1",
        "square_backward": "3",
        "total": "4",
        "max_total": "5",
        "status": "graded",
        "seeds": "",
        "why": "pending",
        "max_with_hand_graded": "6.5",
    }


def test_the_registrys_hand_graded_point_is_a_column_by_default(tmp_path):
    """22 points in all: the 21 autograded ones and `why_detach`, graded by hand."""
    from autograders import problems

    results = [student("adam", check("derivative_at", 2, 21))]
    write_grades_csv(tmp_path / "grades.csv", results, QUESTIONS)
    header, row = read_rows(tmp_path / "grades.csv")
    assert dict(zip(header, row, strict=True))["why_detach"] == "pending"
    whole = sum(problems.max_points().values()) + 1
    assert dict(zip(header, row, strict=True))["max_with_hand_graded"] == f"{whole:g}" == "22"


def test_missing_notebook_keeps_the_assignment_maximum_and_says_why(tmp_path):
    missing = student(
        "bea",
        check("derivative_at", 2, 2),
        check("square_backward", 0, 3, notebook="custom_backward"),
        notebooks={"intro": GRADED, "custom_backward": "missing"},
    )
    write_grades_csv(tmp_path / "grades.csv", [missing], QUESTIONS, hand_graded={})

    row = "bea,2,0,2,5,custom_backward: missing,derivatives=7".split(",")
    assert read_rows(tmp_path / "grades.csv")[1] == row


def test_a_grader_error_leaves_question_cells_empty_not_zero(tmp_path):
    crashed = student("cy", grader_error="sandbox did not start")
    write_grades_csv(tmp_path / "grades.csv", [crashed], QUESTIONS, hand_graded={})

    expected = "cy,,,0,0,grader error: sandbox did not start,derivatives=7".split(",")
    assert read_rows(tmp_path / "grades.csv")[1] == expected


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(dangerous):
    assert neutralise_formula(dangerous) == "'" + dangerous
    assert neutralise_formula("graded") == "graded"


def test_formula_injection_in_status_and_student_id_is_neutralised(tmp_path):
    sneaky = student(
        '=HYPERLINK("http://evil")',
        check("derivative_at", 1, 1),
        notebooks={"-2+3+cmd|' /C calc'!A0": "missing"},
    )
    write_grades_csv(tmp_path / "grades.csv", [sneaky], QUESTIONS, hand_graded={})

    row = read_rows(tmp_path / "grades.csv")[1]
    assert row[0] == """'=HYPERLINK("http://evil")"""
    assert row[-2] == "'-2+3+cmd|' /C calc'!A0: missing"


def test_points_for_a_question_without_a_column_are_a_grader_bug(tmp_path):
    stray = student("dan", check("not_in_the_rubric", 1, 1))
    with pytest.raises(ValueError, match="not_in_the_rubric"):
        write_grades_csv(tmp_path / "grades.csv", [stray], QUESTIONS)
