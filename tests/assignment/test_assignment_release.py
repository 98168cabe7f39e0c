"""release/ is what nbgrader makes from source/, and nbgrader validates both the right way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assignment_support import ASSIGNMENT, RELEASE, ROOT, SOURCE, nbgrader

pytestmark = pytest.mark.slow


# What JupyterLab and Python write next to notebooks a person opened and ran (checks.py is
# imported by the test cells): not part of the release, and ignored by git too.
WRITTEN_BY_USE = {".ipynb_checkpoints", "__pycache__"}
# Notebook metadata a kernel or JupyterLab adds when a notebook is saved.
KERNEL_METADATA = ("language_info", "widgets")


def _files(folder: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(folder)): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not WRITTEN_BY_USE.intersection(p.relative_to(folder).parts)
    }


def _notebook(path: Path) -> dict:
    """The notebook's JSON without the metadata that opening and saving it adds."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for key in KERNEL_METADATA:
        notebook.get("metadata", {}).pop(key, None)
    for cell in notebook.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
    return notebook


def test_regenerated_release_matches_the_committed_one(course: Path) -> None:
    """`nbgrader generate_assignment` reproduces release/: notebooks as JSON, images as bytes."""
    fresh, committed = _files(course / "release" / ASSIGNMENT), _files(RELEASE)
    assert sorted(fresh) == sorted(committed)
    for name, path in fresh.items():
        if name.endswith(".ipynb"):
            assert _notebook(path) == _notebook(committed[name]), (
                f"release/{ASSIGNMENT}/{name} is stale: regenerate it"
            )
        else:
            assert path.read_bytes() == committed[name].read_bytes(), name


def test_validate_passes_on_the_source() -> None:
    output = nbgrader("validate", *(str(p) for p in sorted(SOURCE.glob("*.ipynb"))), cwd=ROOT)
    assert output.count("Success! Your notebook passes all the tests.") == 3, output


def test_validate_invert_passes_on_the_release() -> None:
    output = nbgrader(
        "validate", "--invert", *(str(p) for p in sorted(RELEASE.glob("*.ipynb"))), cwd=ROOT
    )
    assert output.count("Success! The notebook does not pass any tests.") == 3, output
