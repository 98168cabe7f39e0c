"""The student id rule, and the CLI setting aside a folder whose name breaks it (fast)."""

from __future__ import annotations

import pytest

from autograders.student_ids import is_valid_student_id, refusal, shown, why_invalid
from autograders.submission import student_folders
from tests.browser.browser_payloads import HOSTILE_ID

VALID = ["alice", "s0003_solution", "jane.doe@uni.edu", "A-1", "x" * 64, "_x", "0"]
INVALID = {
    "": "empty",
    ".hidden": "starts with a dot",
    "..": "starts with a dot",
    "x" * 65: "longer than 64",
    HOSTILE_ID: "contains",
    "a b": "contains ' '",
    "a/b": "contains '/'",
    "o'brien": "contains",
    "tab\there": "contains '\\t'",
    "ünïcode": "contains",
    "a&b": "contains '\\x26'",
}


@pytest.mark.parametrize("student_id", VALID)
def test_plain_ids_are_valid(student_id: str) -> None:
    assert is_valid_student_id(student_id) and why_invalid(student_id) is None


@pytest.mark.parametrize("student_id", INVALID)
def test_anything_else_is_refused_with_a_reason(student_id: str) -> None:
    assert not is_valid_student_id(student_id)
    assert INVALID[student_id] in why_invalid(student_id)


def test_non_strings_are_invalid() -> None:
    assert not is_valid_student_id(None) and not is_valid_student_id(42)


def test_a_refused_name_is_shown_escaped() -> None:
    message = refusal(HOSTILE_ID + "\x1b[2J")
    assert "<" not in message and ">" not in message and "\x1b" not in message
    assert "\\x3csvg onload" in message and "set aside" in message
    assert shown("alice") == "'alice'"


def test_the_cli_sets_bad_folders_aside(tmp_path, capsys) -> None:
    for name in ("alice", "bob", HOSTILE_ID, ".git", "a b"):
        (tmp_path / name / "derivatives").mkdir(parents=True)
    (tmp_path / "notes.txt").write_text("not a folder")

    folders = student_folders(tmp_path)

    assert folders == {name: tmp_path / name / "derivatives" for name in ("alice", "bob")}
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all("not a valid student id" in line for line in errors)
    assert "<svg" not in "".join(errors)


def test_one_student_folder_with_a_bad_name_is_refused(tmp_path, capsys) -> None:
    folder = tmp_path / "a b"
    (folder / "derivatives").mkdir(parents=True)
    assert student_folders(folder) == {}
    assert "'a b'" in capsys.readouterr().err
