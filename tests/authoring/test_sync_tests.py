"""The source notebooks are what the sync command makes from the registry, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from authoring_support import ASSIGNMENT, ROOT

from autograders import problems
from autograders.authoring import sync_tests
from autograders.authoring.sync_tests import RegistryMismatch, hidden_region, sync_notebook
from autograders.problems.manual import MANUAL

SOURCE = ROOT / "source" / ASSIGNMENT


def test_committed_source_notebooks_are_what_the_registry_makes(tmp_path: Path) -> None:
    """The golden: regenerating into a copy changes no byte. If this fails, run
    `python -m autograders.authoring.sync_tests` and regenerate the release."""
    shutil.copytree(SOURCE, tmp_path / "source" / ASSIGNMENT)
    changed = sync_tests.sync_course(tmp_path)
    assert changed == [], "run `python -m autograders.authoring.sync_tests`"
    for path in sorted(SOURCE.glob("*.ipynb")):
        assert (tmp_path / "source" / ASSIGNMENT / path.name).read_bytes() == path.read_bytes()


def test_every_check_has_its_hidden_region_in_the_source() -> None:
    sources = {
        cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source
        for path in SOURCE.glob("*.ipynb")
        for cell in nbformat.read(path, as_version=4).cells
    }
    for test_id, check in problems.CHECKS.items():
        assert hidden_region(check) in sources[test_id]
        assert sources[test_id].count("### BEGIN HIDDEN TESTS") == 1


def test_hidden_region_runs_the_check_and_names_it() -> None:
    check = problems.CHECKS["derivative_at_test"]
    region = hidden_region(check)
    lines = region.splitlines()
    assert lines[0] == "### BEGIN HIDDEN TESTS" and lines[-1] == "### END HIDDEN TESTS"
    assert 'run_check("derivative_at_test")' in lines
    assert "autograders/problems/derivatives.py" in region
    assert f"({check.points:g} points)" in region
    assert all(len(line) <= sync_tests.WIDTH for line in lines)
    compile(region, "<hidden region>", "exec")  # valid Python


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    return notebook


def _cell(grade_id: str, source: str, points: float, *, solution: bool = False):
    meta = {"grade": True, "grade_id": grade_id, "locked": not solution, "points": points}
    meta |= {"schema_version": 3, "solution": solution}
    make = nbformat.v4.new_markdown_cell if solution else nbformat.v4.new_code_cell
    return make(source, metadata={"nbgrader": meta})


def _derivatives_cells(**overrides: str) -> list[nbformat.NotebookNode]:
    """A graded cell for each check and manual question of derivatives.ipynb, points 99."""
    cells = [
        _cell(check.test_id, overrides.get(check.test_id, "print('visible')"), 99)
        for problem in problems.for_notebook("derivatives")
        for check in problem.checks
    ]
    manual = [q for q in MANUAL if q.notebook == "derivatives"]
    return cells + [_cell(q.question_id, "answer", 99, solution=True) for q in manual]


def test_sync_sets_points_and_hidden_region_and_keeps_the_visible_part() -> None:
    visible = "assert derivative_at(torch.sin, 0.0) == 1\nprint('ok')\n"
    old = visible + "### BEGIN HIDDEN TESTS\nassert False  # stale\n### END HIDDEN TESTS"
    notebook = _notebook(*_derivatives_cells(derivative_at_test=old))
    sync_notebook(notebook, "derivatives")
    check = problems.CHECKS["derivative_at_test"]
    cell = notebook.cells[0]
    assert cell.source == visible + hidden_region(check)
    assert cell.metadata.nbgrader["points"] == check.points
    assert all(c.metadata.nbgrader["points"] != 99 for c in notebook.cells)
    assert notebook.cells[-1].metadata.nbgrader["points"] == MANUAL[0].points
    assert notebook.cells[-1].source == "answer"  # a manual answer cell keeps its text


def test_sync_appends_a_hidden_region_to_a_test_cell_without_one() -> None:
    notebook = _notebook(*_derivatives_cells())
    sync_notebook(notebook, "derivatives")
    again = nbformat.writes(notebook)
    sync_notebook(notebook, "derivatives")  # idempotent
    assert nbformat.writes(notebook) == again
    check = problems.CHECKS["derivative_at_test"]
    assert notebook.cells[0].source == "print('visible')\n" + hidden_region(check)


def test_sync_refuses_a_test_cell_the_registry_does_not_know() -> None:
    notebook = _notebook(*_derivatives_cells(), _cell("derivative_at_test_extra", "x = 1", 1))
    with pytest.raises(RegistryMismatch, match="derivative_at_test_extra"):
        sync_notebook(notebook, "derivatives")


def test_sync_refuses_a_check_without_a_test_cell() -> None:
    notebook = _notebook(*_derivatives_cells()[1:])
    with pytest.raises(RegistryMismatch, match="derivative_at_test"):
        sync_notebook(notebook, "derivatives")


def test_check_mode_reports_a_stale_notebook_and_changes_nothing(tmp_path: Path, capsys) -> None:
    course = tmp_path / "course"
    shutil.copytree(SOURCE, course / "source" / ASSIGNMENT)
    path = course / "source" / ASSIGNMENT / "custom_backward.ipynb"
    path.write_text(path.read_text().replace('"points": 2', '"points": 7', 1))
    stale = path.read_bytes()
    assert sync_tests.main(["--course", str(course), "--check"]) == 1
    assert "out of date" in capsys.readouterr().out and path.read_bytes() == stale
    assert sync_tests.main(["--course", str(course)]) == 0
    assert sync_tests.main(["--course", str(course), "--check"]) == 0
    assert path.read_bytes() == (SOURCE / "custom_backward.ipynb").read_bytes()


def test_a_folder_without_the_course_is_an_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    assert sync_tests.main(["--course", str(tmp_path)]) == 2
    assert "run from the course root" in capsys.readouterr().err
