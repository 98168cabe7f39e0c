"""release/ is what nbgrader makes from source/, and nbgrader validates both the right way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assignment_support import ASSIGNMENT, RELEASE, ROOT, SOURCE, nbgrader

pytestmark = pytest.mark.slow


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}


def test_regenerated_release_matches_the_committed_one(course: Path) -> None:
    """`nbgrader generate_assignment` reproduces release/: notebooks as JSON, images as bytes."""
    fresh, committed = _files(course / "release" / ASSIGNMENT), _files(RELEASE)
    assert sorted(fresh) == sorted(committed)
    for name, path in fresh.items():
        if name.endswith(".ipynb"):
            got = json.loads(path.read_text(encoding="utf-8"))
            want = json.loads(committed[name].read_text(encoding="utf-8"))
            assert got == want, f"release/{ASSIGNMENT}/{name} is stale: regenerate it"
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
