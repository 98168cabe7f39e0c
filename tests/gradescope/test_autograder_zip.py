"""The Gradescope zip, built by the real command and run as Gradescope would run it: unpacked
into a temporary AUTOGRADER_ROOT, set up (reusing this venv: no apt, no pip, the project's code
from the zip's wheel), then run_autograder on right, wrong, empty, missing and malformed
submissions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograders import problems
from autograders.gradescope.results import run_results_schema
from autograders.gradescope.run import NO_NOTEBOOKS_TEXT

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "submitted"
EXPECTED = json.loads((ROOT / "samples" / "expected_scores.json").read_text())
ZIP_NAMES = ["setup.sh", "run_autograder", "constraints.txt", "course-secret"]


def build(out: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograders", "gradescope", "build", "--out", str(out)]
    return subprocess.run(
        [*command, *extra], cwd=out.parent, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "autograder.zip"
    done = build(out)
    assert done.returncode == 0, done.stderr
    return out


def test_zip_holds_what_gradescope_needs_and_a_fresh_secret(autograder_zip, tmp_path) -> None:
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 & 0o777 for info in archive.infolist()}
        secret = archive.read("course-secret").strip()
    wheels = [name for name in names if name.endswith(".whl")]
    release = [name for name in names if name.startswith("release/derivatives/")]
    assert sorted(set(names) - set(wheels) - set(release)) == sorted(ZIP_NAMES)
    assert len(wheels) == 1
    shipped = {path.relative_to(ROOT).as_posix() for path in (ROOT / "release").rglob("*.ipynb")}
    assert shipped and shipped <= set(release)  # the release the students copied
    assert wheels[0].startswith("derivatives_autograder-")
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert modes["course-secret"] == 0o600
    assert len(secret) == 64
    course_secret = Path(os.environ.get("AUTOGRADERS_SECRET_FILE", "/nonexistent"))
    if course_secret.is_file():
        assert course_secret.read_bytes().strip() != secret


def test_secret_file_puts_the_course_secret_in_the_zip(tmp_path) -> None:
    secret_file = tmp_path / "course-secret"
    secret_file.write_text("c" * 40 + "\n")
    done = build(tmp_path / "autograder.zip", "--secret-file", str(secret_file))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        assert archive.read("course-secret") == b"c" * 40 + b"\n"
    short = tmp_path / "short"
    short.write_text("too short\n")
    refused = build(tmp_path / "refused.zip", "--secret-file", str(short))
    assert refused.returncode == 2 and "too short" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "refused.zip").exists()


@pytest.fixture(scope="module")
def gradescope_root(autograder_zip, tmp_path_factory) -> Path:
    """/autograder as Gradescope's image build leaves it."""
    root = tmp_path_factory.mktemp("autograder")
    subprocess.run(["unzip", "-q", str(autograder_zip), "-d", str(root / "source")], check=True)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADERS_SETUP_PYTHON": sys.executable}
    subprocess.run(["bash", "setup.sh"], cwd=root / "source", env=env, check=True, timeout=120)
    return root


def run_autograder(root: Path, files: dict[str, bytes], user_id: int) -> dict:
    """Put `files` in the submission folder, run run_autograder, return results.json."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    metadata = {"id": 5000 + user_id, "users": [{"id": user_id, "email": "s@example.edu"}]}
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    done = subprocess.run(
        [str(root / "run_autograder")], cwd=root, env=env, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    document = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(document, run_results_schema())
    return document


def notebooks(student: str, prefix: str = "") -> dict[str, bytes]:
    folder = SAMPLES / student / "derivatives"
    return {f"{prefix}{path.name}": path.read_bytes() for path in folder.glob("*.ipynb")}


def total(student: str, *notebooks: str) -> float:
    return sum(sum(EXPECTED[student][nb].values()) for nb in notebooks or EXPECTED[student])


@pytest.mark.slow
def test_right_answers_uploaded_flat_get_full_points(gradescope_root) -> None:
    document = run_autograder(gradescope_root, notebooks("alice"), user_id=1001)
    assert document["score"] == total("alice") == 21
    assert document["extra_data"]["student_id"] == "1001"  # from the metadata, not "submission"
    assert document["extra_data"]["gradescope"]["submission_id"] == 6001


@pytest.mark.slow
def test_wrong_answers_in_a_derivatives_folder_lose_their_points(gradescope_root) -> None:
    document = run_autograder(gradescope_root, notebooks("bob", "derivatives/"), user_id=1002)
    assert 0 < document["score"] == total("bob") < 21
    summary = {t["tags"][0]: t["score"] for t in document["tests"] if t["visibility"] == "visible"}
    expected: dict[str, float] = {}
    for checks in EXPECTED["bob"].values():
        for test_id, points in checks.items():
            question = problems.QUESTION_OF[test_id]
            expected[question] = expected.get(question, 0.0) + points
    assert summary == expected


@pytest.mark.slow
def test_empty_submission_scores_zero_and_says_what_was_expected(gradescope_root) -> None:
    document = run_autograder(gradescope_root, {"README.md": b"hello"}, user_id=1003)
    assert document["score"] == 0 and document["output"].startswith(NO_NOTEBOOKS_TEXT)
    assert document["extra_data"]["grader_error"] == ""


@pytest.mark.slow
def test_missing_and_malformed_notebooks_cost_only_their_own_points(gradescope_root) -> None:
    missing = notebooks("alice")
    del missing["custom_backward.ipynb"]
    document = run_autograder(gradescope_root, missing, user_id=1004)
    assert document["score"] == total("alice", "derivatives", "partial_derivatives")
    assert document["extra_data"]["notebooks"]["custom_backward"] == "missing"
    malformed = {**notebooks("alice"), "derivatives.ipynb": b'{"cells": [ not json'}
    document = run_autograder(gradescope_root, malformed, user_id=1005)
    assert document["score"] == total("alice", "partial_derivatives", "custom_backward")
    assert "invalid JSON" in document["extra_data"]["notebooks"]["derivatives"]


@pytest.mark.slow
def test_results_are_written_even_when_python_cannot_start(gradescope_root) -> None:
    python = gradescope_root / "venv" / "bin" / "python"
    python.rename(python.with_name("python.away"))
    try:
        document = run_autograder(gradescope_root, notebooks("alice"), user_id=1006)
    finally:
        python.with_name("python.away").rename(python)
    assert document["score"] == 0 and "autograder itself failed" in document["output"]
