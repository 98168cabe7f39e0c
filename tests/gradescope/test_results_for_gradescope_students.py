"""results.json for Gradescope: points per question visible at once, details after the due
date, nothing counted twice, the student id and attempt from Gradescope's metadata."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from autograders.gradescope import run
from autograders.gradescope.results import (
    failure_results,
    gradescope_run_results,
    run_results_schema,
)
from autograders.results import CheckResult, StudentResult

SUBMISSION = {"student_id": "1234", "submission_id": 9, "attempt": 2, "emails": ["a@b.c"]}


def a_result() -> StudentResult:
    result = StudentResult("1234", seeds={"derivatives": 987654321})
    result.checks = [
        CheckResult("q_test_a", "q", "derivatives", "q: values", 2.0, 2.0),
        CheckResult("q_test_b", "q", "derivatives", "q: detached", 0.0, 1.0, "SECRET-DETAIL", "h"),
        CheckResult(
            "r_test", "r", "derivatives", "r: values", 0.5, 2.0, "partly", "", "PRINTED-BY-STUDENT"
        ),
    ]
    result.notebooks = {"derivatives": "graded"}
    return result


def test_summaries_are_visible_and_carry_the_points() -> None:
    document = gradescope_run_results(a_result(), SUBMISSION)
    jsonschema.validate(document, run_results_schema())
    summaries = [test for test in document["tests"] if test["visibility"] == "visible"]
    assert [(t["number"], t["score"], t["max_score"]) for t in summaries] == [
        ("1.0", 2.0, 3.0),
        ("2.0", 0.5, 2.0),
    ]
    assert summaries[0]["name"] == "q: 1 of 2 checks passed"
    assert "failed  q: detached (0 / 1)" in summaries[0]["output"]
    assert sum(test.get("score", 0) for test in document["tests"]) == document["score"] == 2.5
    details = [test for test in document["tests"] if test["visibility"] != "visible"]
    assert details and all("score" in test for test in summaries)


def test_details_show_only_after_the_due_date_and_count_nothing() -> None:
    document = gradescope_run_results(a_result(), SUBMISSION)
    details = [test for test in document["tests"] if test["visibility"] != "visible"]
    assert {test["visibility"] for test in details} == {"after_due_date"}
    assert [(t["number"], t["status"]) for t in details] == [
        ("1.1", "passed"),
        ("1.2", "failed"),
        ("2.1", "failed"),
    ]
    assert not any("score" in test or "max_score" in test for test in details)
    visible_text = json.dumps(
        [document["output"], *(t for t in document["tests"] if t["visibility"] == "visible")]
    )
    assert "SECRET-DETAIL" not in visible_text and "PRINTED-BY-STUDENT" not in visible_text
    assert "SECRET-DETAIL" in details[1]["output"]
    assert "987654321" not in json.dumps(document)  # students never see the seed


def test_submission_is_recorded_for_instructors_and_note_shown() -> None:
    document = gradescope_run_results(a_result(), SUBMISSION, note="No notebook found.")
    assert document["extra_data"]["gradescope"] == SUBMISSION
    assert document["output"].startswith("No notebook found.\n\nAutograded score: 2.5 / 5")


def test_failure_document_is_valid_and_says_the_grader_failed() -> None:
    document = failure_results("The autograder failed.", "KeyError: 'x'", SUBMISSION)
    jsonschema.validate(document, run_results_schema())
    assert document["score"] == 0 and document["extra_data"]["grader_error"] == "KeyError: 'x'"


def write_metadata(root: Path, metadata: object) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "submission_metadata.json").write_text(json.dumps(metadata))


def test_student_id_comes_from_the_metadata_and_groups_are_joined(tmp_path: Path) -> None:
    users = [{"id": 77, "email": "b@x"}, {"id": 5, "email": "a@x"}]
    write_metadata(tmp_path, {"id": 42, "users": users, "previous_submissions": [{}, {}]})
    assert run.submission_info(tmp_path) == {
        "student_id": "5-77",
        "submission_id": 42,
        "attempt": 3,
        "emails": ["b@x", "a@x"],
    }


@pytest.mark.parametrize(
    "metadata",
    [None, {"users": []}, {"users": [{"email": "no id"}]}, {"users": [{"id": "../x"}]}, [1]],
    ids=["missing", "no users", "no id", "invalid id", "not an object"],
)
def test_bad_metadata_is_a_grader_failure_with_results(tmp_path: Path, metadata) -> None:
    if metadata is not None:
        write_metadata(tmp_path, metadata)
    with pytest.raises(run.MetadataError):
        run.submission_info(tmp_path)
    assert run.main(["--root", str(tmp_path)]) == 1
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(document, run_results_schema())
    assert document["score"] == 0 and "MetadataError" in document["extra_data"]["grader_error"]
    assert "autograder itself failed" in document["output"]


def test_staging_copies_notebooks_but_never_follows_a_symlink(tmp_path: Path) -> None:
    found = tmp_path / "submission"
    found.mkdir()
    (found / "derivatives.ipynb").write_text("{}")
    (tmp_path / "course-secret").write_text("the key")
    (found / "custom_backward.ipynb").symlink_to(tmp_path / "course-secret")
    (found / "notes.txt").write_text("not a notebook")
    folder = run.stage_notebooks(found, tmp_path / "staged", within=found)
    assert sorted(path.name for path in folder.iterdir()) == ["derivatives.ipynb"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "derivatives.ipynb").write_text("{}")
    (found / "derivatives").symlink_to(elsewhere)  # a symlinked folder, as a zip can hold
    folder = run.stage_notebooks(found / "derivatives", tmp_path / "staged2", within=found)
    assert list(folder.iterdir()) == []


def test_a_zip_without_its_secret_is_a_grader_failure_not_a_new_secret(tmp_path: Path) -> None:
    write_metadata(tmp_path, {"id": 1, "users": [{"id": 3}]})
    (tmp_path / "source").mkdir()
    assert run.main(["--root", str(tmp_path)]) == 1
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert "course-secret is missing" in document["extra_data"]["grader_error"]
    assert not (tmp_path / "source" / "course-secret").exists()
