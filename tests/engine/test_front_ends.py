"""The thin front ends: the pytest rubric on one submission, and the CLI's edges."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograders import problems

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "submitted"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_the_rubric_passes_a_full_solution() -> None:
    done = run(
        "-m",
        "pytest",
        "autograders/rubric",
        "--submission",
        str(SAMPLES / "alice"),
        "-q",
        "-p",
        "no:cacheprovider",
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert f"{len(problems.CHECKS)} passed" in done.stdout


@pytest.mark.slow
def test_the_rubric_names_each_failed_check_and_its_mistake() -> None:
    done = run(
        "-m",
        "pytest",
        "autograders/rubric",
        "--submission",
        str(SAMPLES / "bob"),
        "-q",
        "-p",
        "no:cacheprovider",
    )
    assert done.returncode == 1
    assert "test_check[square_function_test_backward]" in done.stdout
    assert "ignores `grad_output`" in done.stdout
    scores = json.loads((ROOT / "samples" / "expected_scores.json").read_text())["bob"]
    failed = sum(points == 0 for tests in scores.values() for points in tests.values())
    assert f"{failed} failed, {len(problems.CHECKS) - failed} passed" in done.stdout


def test_the_cli_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    done = run(
        "-m", "autograders", "grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")
    )
    assert done.returncode == 2 and "is not a folder" in done.stderr


def test_the_cli_help_lists_its_options() -> None:
    done = run("-m", "autograders", "grade", "--help")
    assert done.returncode == 0
    for option in ("--out", "--workers", "--seed", "--timeout"):
        assert option in done.stdout


@pytest.mark.slow
def test_an_empty_student_folder_still_gets_a_row(tmp_path: Path) -> None:
    # Beside a student with notebooks: a class with no notebook at all is refused (exit 2,
    # tests/engine/test_cli_inputs.py).
    (tmp_path / "submitted" / "ghost").mkdir(parents=True)
    shutil.copytree(SAMPLES / "dan", tmp_path / "submitted" / "dan")
    done = run(
        "-m",
        "autograders",
        "grade",
        str(tmp_path / "submitted"),
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "1",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        (_, row) = list(csv.DictReader(handle))  # sorted: dan, ghost
    assert (
        row["student_id"] == "ghost"
        and row["total"] == "0"
        and row["max_total"] == f"{sum(p.points for p in problems.PROBLEMS):g}"
    )
    assert "derivatives: missing" in row["status"]
