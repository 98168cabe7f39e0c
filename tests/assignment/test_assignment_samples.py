"""samples/ is what scripts/make_samples.py makes, and fill_answers keeps its contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from assignment_support import RELEASE, ROOT, SAMPLES, nbgrader_meta, read, tool_env

from autograders import problems
from autograders.authoring.fill import fill_answers


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_samples_regenerate_identically(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--out", str(tmp_path)],
        check=True,
        env=tool_env(),
        capture_output=True,
    )
    fresh, committed = _files(tmp_path), _files(SAMPLES)
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"run scripts/make_samples.py: {stale}"


def test_expected_scores_name_every_check_with_at_most_its_registry_points() -> None:
    """expected_scores.json: per student, each notebook's checks, none above its points; the
    full solution (alice) gets every point."""
    expected = json.loads((SAMPLES / "expected_scores.json").read_text(encoding="utf-8"))
    registry = {
        name: {c.test_id: float(c.points) for p in problems.for_notebook(name) for c in p.checks}
        for name in problems.NOTEBOOKS
    }
    assert expected["alice"] == registry
    for student, notebooks in expected.items():
        for name, scores in notebooks.items():
            assert scores.keys() == registry[name].keys(), (student, name)
            assert all(0 <= scores[t] <= registry[name][t] for t in scores), (student, name)


def test_fill_answers_replaces_only_the_named_solution_cells(tmp_path: Path) -> None:
    release = RELEASE / "derivatives.ipynb"
    answers = {"derivative_at": "def derivative_at(f, x0):\n  return 1", "why_detach": "Because."}
    fill_answers(release, answers, tmp_path / "a" / "b.ipynb")
    before, after = read(release), read(tmp_path / "a" / "b.ipynb")
    assert len(before.cells) == len(after.cells)
    for old, new in zip(before.cells, after.cells, strict=True):
        grade_id = nbgrader_meta(old).get("grade_id")
        assert new.source == answers.get(grade_id, old.source)
        assert new.metadata == old.metadata and new.cell_type == old.cell_type
    assert after.metadata == before.metadata


def test_fill_answers_with_no_answers_copies_the_notebook(tmp_path: Path) -> None:
    fill_answers(RELEASE / "custom_backward.ipynb", {}, tmp_path / "copy.ipynb")
    assert read(tmp_path / "copy.ipynb") == read(RELEASE / "custom_backward.ipynb")


@pytest.mark.parametrize("grade_id", ["derivative_at_test", "no_such_question", "Derivative_at"])
def test_fill_answers_refuses_an_unknown_solution_cell(tmp_path: Path, grade_id: str) -> None:
    with pytest.raises(KeyError, match=grade_id):
        fill_answers(RELEASE / "derivatives.ipynb", {grade_id: "x = 1"}, tmp_path / "x.ipynb")
    assert not (tmp_path / "x.ipynb").exists()


def test_submitted_samples_are_valid_notebooks() -> None:
    for path in sorted((SAMPLES / "submitted").rglob("*.ipynb")):
        nbformat.validate(read(path))
