"""What `run_autograder` runs on Gradescope for one submission.

    python -m autograders.gradescope.run [--root /autograder]

    read      ROOT/submission_metadata.json   the student(s) and the submission id/attempt
    locate    ROOT/submission                 flat, in derivatives/, or in one wrapper folder
    stage     a private copy of the notebooks regular files only, never a symlink
    grade     the sandbox, one worker         as `autograders grade` does
    write     ROOT/results/results.json       always, also when anything above fails

The student id comes from the metadata, never from a folder name: Gradescope's user id (ids
joined by "-" for a group). Hidden inputs are keyed by the secret in ROOT/source/course-secret
(see `autograders.course_secret`): per student, notebook and code, so a changed resubmission
gets new hidden inputs and an identical one the same (resubmitting identical code cannot fish
for luckier inputs). The submission id and attempt are recorded for instructors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from autograders import layout, problems
from autograders.gradescope.results import failure_results, gradescope_run_results
from autograders.release import Release
from autograders.reports.gradescope import GRADER_FAILED_TEXT
from autograders.results import StudentResult
from autograders.settings import Settings
from autograders.student_ids import is_valid_student_id

SECRET_NAME = "course-secret"
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # as `submission.MAX_NOTEBOOK_BYTES`; larger: not copied
NO_NOTEBOOKS_TEXT = (
    "No notebook of the assignment was found in your submission. Expected "
    + ", ".join(layout.NOTEBOOK_FILES)
    + f", uploaded as files or in a folder named {problems.ASSIGNMENT}/."
)


class MetadataError(ValueError):
    """submission_metadata.json is missing or does not name the student."""


def submission_info(root: Path) -> dict:
    """Student id, submission id and attempt from Gradescope's submission_metadata.json."""
    try:
        metadata = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        users = sorted(str(user["id"]) for user in metadata["users"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MetadataError(f"unreadable submission_metadata.json: {error!r}") from None
    student_id = "-".join(users)
    if not users or not is_valid_student_id(student_id):
        raise MetadataError(f"no valid student id in submission_metadata.json: {users!r}")
    previous = metadata.get("previous_submissions")
    return {
        "student_id": student_id,
        "submission_id": metadata.get("id"),
        "attempt": 1 + (len(previous) if isinstance(previous, list) else 0),
        "emails": [user.get("email", "") for user in metadata["users"] if isinstance(user, dict)],
    }


def stage_notebooks(found: Path | None, into: Path, within: Path) -> Path:
    """Copy the assignment's notebooks from `found` into `into/derivatives/`, regular files
    inside `within` only (a symlink could point at the autograder's own files); the folder
    to grade."""
    folder = into / problems.ASSIGNMENT
    folder.mkdir(parents=True)
    for name in layout.NOTEBOOK_FILES:
        if found is None:
            break
        source = found / name
        if source.is_symlink() or not source.is_file():
            continue
        if not source.resolve().is_relative_to(within.resolve()):  # a symlinked folder
            continue
        if source.stat().st_size <= MAX_NOTEBOOK_BYTES:
            shutil.copyfile(source, folder / name)
        else:  # left out: graded as "missing", with the reason in the log
            print(f"{name} is larger than {MAX_NOTEBOOK_BYTES} bytes: not graded")
    return folder


def grade_submission(root: Path, submission: dict) -> tuple[StudentResult, str]:
    """The student's result and a note for the student ("" when the notebooks were found)."""
    from autograders.pipeline import grade_student, unanswered
    from autograders.sandbox.host.pool import Sandbox

    secret_file = root / "source" / SECRET_NAME
    if not secret_file.is_file():  # never a new secret per container: inputs would vary
        raise FileNotFoundError(f"{secret_file} is missing: rebuild and upload the zip")
    release = root / "source" / "release" / problems.ASSIGNMENT  # shipped in the zip
    settings = Settings(
        workers=1,
        secret_file=secret_file,
        release=Release(str(release)) if release.is_dir() else None,
    )
    settings.secret()  # an unusable secret is a grader error before anything starts
    found = layout.find_notebook_folder(root / "submission")
    student_id = submission["student_id"]
    with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
        folder = stage_notebooks(found, Path(scratch), within=root / "submission")
        if found is None:
            result = StudentResult(student_id)
            for notebook in problems.NOTEBOOKS:
                result.notebooks[notebook] = "missing"
                result.checks += unanswered(problems.for_notebook(notebook), "no notebook found")
            return result, NO_NOTEBOOKS_TEXT
        with Sandbox(settings.limits, settings.workers) as sandbox:
            return grade_student(student_id, folder, sandbox, settings), ""


def results_document(root: Path) -> dict:
    """The results.json document; a grader failure becomes a failure document, never a raise."""
    submission: dict = {}
    try:
        submission = submission_info(root)
        result, note = grade_submission(root, submission)
        for warning in sorted(set(result.sandbox_warnings)):
            print(f"warning: weaker sandbox on this machine: {warning}")
        return gradescope_run_results(result, submission, note)
    except Exception as error:
        traceback.print_exc(file=sys.stdout)  # stdout is shown to instructors only
        return failure_results(GRADER_FAILED_TEXT, f"{type(error).__name__}: {error}", submission)


def write_results(path: Path, document: dict) -> None:
    """Write `document` atomically (a partial file would read as Gradescope's own error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    partial = path.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograders.gradescope.run")
    parser.add_argument(
        "--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    )
    root = parser.parse_args(argv).root
    document = results_document(root)
    write_results(root / "results" / "results.json", document)
    score = document["score"]
    print(f"{document['extra_data'].get('student_id', '?')}: {score} points")
    print(document["output"])
    return 1 if document["extra_data"].get("grader_error") else 0


if __name__ == "__main__":
    sys.exit(main())
