"""Gradescope's results.json: valid against our schema, strict JSON, scores that add up."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest

from autograders.reports.gradescope import (
    GRADER_FAILED_TEXT,
    GRADESCOPE_SCHEMA_PATH,
    gradescope_results,
    write_results_json,
)
from autograders.results import GRADED, CheckResult, StudentResult

SCHEMA = json.loads(GRADESCOPE_SCHEMA_PATH.read_text(encoding="utf-8"))


def check(test_id: str, question: str, points: float, max_points: float, **text) -> CheckResult:
    return CheckResult(
        test_id, question, "intro", f"{question}: {test_id}", points, max_points, **text
    )


def partly_right() -> StudentResult:
    return StudentResult(
        "alice",
        seeds={"derivatives": 1234},
        checks=[
            check("values", "derivative_at", 0.1, 0.1),
            check("hidden", "derivative_at", 0.2, 0.2),
            check(
                "shape",
                "square_backward",
                0,
                1.5,
                message="Your gradient has shape (3,).",
                hint="forgot to multiply by grad_output",
                output="tensor([1., 2.])",
            ),
            check("values", "chain_rule", 1, 2, message="Wrong at 1 of 2 points."),
        ],
        notebooks={"intro": GRADED, "custom_backward": "invalid JSON"},
        seconds=12.6,
    )


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_results_are_valid_against_the_schema_and_strict_json(tmp_path):
    write_results_json(tmp_path / "results.json", partly_right())

    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    jsonschema.validate(document, SCHEMA)


def test_score_is_the_sum_of_the_tests_without_float_noise():
    document = gradescope_results(partly_right())

    assert document["score"] == 1.3  # 0.1 + 0.2 + 0 + 1, not 1.3000000000000003
    assert math.isclose(document["score"], sum(test["score"] for test in document["tests"]))
    assert document["extra_data"]["max_score"] == 3.8


def test_tests_are_numbered_by_question_then_check_and_tagged():
    tests = gradescope_results(partly_right())["tests"]

    assert [test["number"] for test in tests] == ["1.1", "1.2", "2.1", "3.1"]
    assert [test["tags"] for test in tests] == [["derivative_at"]] * 2 + [["square_backward"]] + [
        ["chain_rule"]
    ]
    assert [test["status"] for test in tests] == ["passed", "passed", "failed", "failed"]
    assert tests[0]["name"] == "derivative_at: values"


def test_a_failed_check_explains_itself_in_plain_text():
    output = gradescope_results(partly_right())["tests"][2]["output"]

    assert output == (
        "Your gradient has shape (3,).\n\n"
        "Likely mistake: forgot to multiply by grad_output\n\n"
        "Your code printed:\ntensor([1., 2.])"
    )


def test_summary_gives_notebook_statuses_and_never_the_seed():
    document = gradescope_results(partly_right())

    assert "custom_backward.ipynb: not gradable: invalid JSON" in document["output"]
    assert "1234" not in json.dumps(document), "students never see their hidden-input seed"
    assert document["extra_data"]["notebooks"] == {
        "intro": GRADED,
        "custom_backward": "invalid JSON",
    }
    assert document["extra_data"]["student_id"] == "alice"
    assert document["execution_time"] == 13


def test_a_grader_error_is_told_to_the_student_without_its_details():
    crashed = StudentResult(
        "bob", seeds={"derivatives": 1}, grader_error="KeyError: 'expected_grad'"
    )
    document = gradescope_results(crashed)

    jsonschema.validate(document, SCHEMA)
    assert GRADER_FAILED_TEXT in document["output"]
    assert "expected_grad" not in document["output"]
    assert document["extra_data"]["grader_error"] == "KeyError: 'expected_grad'"
    assert document["tests"] == []


def test_non_finite_points_fail_loudly_instead_of_writing_invalid_json(tmp_path):
    broken = StudentResult(
        "carol", seeds={"derivatives": 1}, checks=[check("values", "derivative_at", math.nan, 1)]
    )
    with pytest.raises(ValueError, match="non-finite"):
        write_results_json(tmp_path / "results.json", broken)
    assert not (tmp_path / "results.json").exists()


def test_the_schema_refuses_what_gradescope_would_not_understand():
    document = gradescope_results(partly_right())
    document["tests"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)
