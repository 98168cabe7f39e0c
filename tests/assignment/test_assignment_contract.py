"""The student contract of the source notebooks, and what the committed release gives away."""

from __future__ import annotations

import re

import pytest
from assignment_support import NOTEBOOKS, RELEASE, ROOT, SOURCE, nbgrader_meta, read

from autograders import problems
from autograders.problems.manual import MANUAL

# nbgrader_config.py's ClearSolutions.code_stub: a stub whose traceback says what to do
STUB = 'raise NotImplementedError("Replace this line with your answer")'


def _contract() -> dict[str, dict[str, dict[str, float]]]:
    """notebook -> question id -> {test cell grade_id: points}, from the registry; a question
    graded by hand (`MANUAL`) has no test cell."""
    contract: dict[str, dict[str, dict[str, float]]] = {name: {} for name in problems.NOTEBOOKS}
    for problem in problems.PROBLEMS:
        contract[problem.notebook][problem.question_id] = {
            check.test_id: check.points for check in problem.checks
        }
    for question in MANUAL:
        contract[question.notebook][question.question_id] = {}
    return contract


CONTRACT = _contract()
MANUAL_POINTS = {question.question_id: question.points for question in MANUAL}
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _cells(path):
    return read(path).cells


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_cells_match_the_contract(name: str) -> None:
    solutions, tests, manual = {}, {}, {}
    for cell in _cells(SOURCE / f"{name}.ipynb"):
        meta = nbgrader_meta(cell)
        if meta.get("solution") and meta.get("grade"):
            assert cell.cell_type == "markdown", meta
            manual[meta["grade_id"]] = meta["points"]
        elif meta.get("solution"):
            assert cell.cell_type == "code" and not meta["locked"], meta
            solutions[meta["grade_id"]] = cell
        elif meta.get("grade"):
            assert cell.cell_type == "code" and meta["locked"], meta
            tests[meta["grade_id"]] = meta["points"]
    contract = CONTRACT[name]
    assert sorted(solutions) == sorted(q for q in contract if q not in MANUAL_POINTS)
    assert manual == {q: p for q, p in MANUAL_POINTS.items() if q in contract}
    assert tests == {t: p for by_question in contract.values() for t, p in by_question.items()}
    for question, by_question in contract.items():
        assert all(test_id.startswith(f"{question}_test") for test_id in by_question)


def test_notebooks_are_the_registrys() -> None:
    assert NOTEBOOKS == problems.NOTEBOOKS
    assert {question.notebook for question in MANUAL} <= set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_points_per_notebook(name: str) -> None:
    """The points of a source notebook's graded cells add up to the registry's."""
    cells = [nbgrader_meta(cell) for cell in _cells(SOURCE / f"{name}.ipynb")]
    in_notebook = sum(meta["points"] for meta in cells if meta.get("grade"))
    autograded = sum(p.points for p in problems.for_notebook(name))
    manual = sum(q.points for q in MANUAL if q.notebook == name)
    assert in_notebook == autograded + manual > 0


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_is_committed_without_outputs(name: str) -> None:
    for cell in _cells(SOURCE / f"{name}.ipynb"):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_images_the_notebooks_show_exist(name: str) -> None:
    for cell in _cells(SOURCE / f"{name}.ipynb"):
        for image in re.findall(r"\]\((images/[^)]+\.png)\)", cell.source):
            assert (SOURCE / image).is_file(), image
            assert (RELEASE / image).is_file(), image
            committed = ROOT / "images" / "derivatives" / image.removeprefix("images/")
            assert (SOURCE / image).read_bytes() == committed.read_bytes(), image


def _source_regions(pattern: re.Pattern) -> tuple[set[str], set[str]]:
    """Lines inside the regions of every source notebook, and lines outside them."""
    inside, outside = set(), set()
    for name in NOTEBOOKS:
        for cell in _cells(SOURCE / f"{name}.ipynb"):
            regions = pattern.findall(cell.source)
            for region in regions:
                inside.update(line.strip() for line in region.splitlines())
            rest = pattern.sub("", cell.source)
            outside.update(line.strip() for line in rest.splitlines())
    return inside - outside - {""}, outside


@pytest.mark.parametrize("pattern", [SOLUTION_REGION, HIDDEN_REGION], ids=["solution", "hidden"])
def test_release_gives_nothing_away(pattern: re.Pattern) -> None:
    """No delimiter, and no line that only a solution or a hidden test contains."""
    secret, _ = _source_regions(pattern)
    assert len(secret) > 20  # the regions were found
    for name in NOTEBOOKS:
        for cell in _cells(RELEASE / f"{name}.ipynb"):
            assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source
            leaked = secret & {line.strip() for line in cell.source.splitlines()}
            assert not leaked, f"{name}: {sorted(leaked)}"


def test_release_shows_the_skeletons() -> None:
    cells = {
        nbgrader_meta(c).get("grade_id"): c.source
        for name in NOTEBOOKS
        for c in _cells(RELEASE / f"{name}.ipynb")
    }
    for signature in [
        "def derivative_at(f, x0):",
        "def derivative_on_grid(f, start, end, steps):",
        "def plot_derivative(f, start, end, steps):",
        "def partial_derivatives(f, u0, v0):",
        "def partials_on_grid(f, u, v):",
    ]:
        question = signature[4 : signature.index("(")]
        assert signature in cells[question] and STUB in cells[question]
    for question, lines in {
        "square_function": [
            "class Square(torch.autograd.Function):",
            "def forward(ctx, i):",
            "def backward(ctx, grad_output):",
        ],
        "linear_function": [
            "class LinearFunction(torch.autograd.Function):",
            "def forward(ctx, input, weight, bias=None):",
            "def backward(ctx, grad_output):",
        ],
        "leaf_answers": [
            'is_leaf = {"a": None, "b": None, "c": None, "d": None, "e": None}',
            'has_grad = {"a": None, "b": None, "c": None, "d": None, "e": None}',
        ],
    }.items():
        for line in lines:
            assert line in cells[question], (question, line)
        assert STUB in cells[question]
    assert cells["why_detach"] == "YOUR ANSWER HERE"
