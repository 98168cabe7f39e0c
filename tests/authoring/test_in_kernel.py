"""`run_check`: a registry check run in the notebook's own namespace (the hidden regions)."""

from __future__ import annotations

import os
import random
import textwrap
import warnings

import matplotlib
import nbformat
import pytest
from authoring_support import ROOT, course_env
from nbclient import NotebookClient

from autograders import problems
from autograders.rubric.in_kernel import run_check

matplotlib.use("Agg")

RIGHT = """
import torch
def derivative_at(f, x0):
    x = torch.tensor(x0, requires_grad=True)
    f(x).backward()
    return x.grad
"""
VALUE_NOT_DERIVATIVE = """
import torch
def derivative_at(f, x0):
    return f(torch.tensor(x0))
"""


def namespace(code: str) -> dict:
    found: dict = {}
    exec(textwrap.dedent(code), found)  # the test's own answers, not a submission
    return found


def test_a_right_answer_passes_and_says_so(capsys) -> None:
    run_check("derivative_at_test", namespace=namespace(RIGHT), seed=7)
    out = capsys.readouterr().out
    title = problems.CHECKS["derivative_at_test"].title
    assert out == f"Passed: {title} (2 points; hidden inputs from seed 7)\n"


def test_a_wrong_answer_fails_with_the_students_message_and_the_seed() -> None:
    with pytest.raises(AssertionError) as failure:
        run_check("derivative_at_test", namespace=namespace(VALUE_NOT_DERIVATIVE), seed=7)
    text = str(failure.value)
    assert text.startswith(problems.CHECKS["derivative_at_test"].title)
    assert "derivative_at(f, " in text and "Likely mistake: " in text
    assert "AUTOGRADERS_SEED=7 repeats them" in text


def test_the_hidden_inputs_are_the_isolated_graders_for_the_same_seed() -> None:
    """The grader draws a check's inputs from Random(f"{seed}:{test_id}"); so does run_check."""
    seen: list[float] = []
    answers = namespace(RIGHT)
    answers["derivative_at"] = lambda f, x0, inner=answers["derivative_at"]: (
        seen.append(x0) or inner(f, x0)
    )
    run_check("derivative_at_test", namespace=answers, seed=12345)
    trial = problems.CHECKS["derivative_at_test"].make_trial(
        random.Random("12345:derivative_at_test")
    )
    assert seen == [probe["args"][1] for probe in trial.probes]


def test_the_seed_comes_from_the_environment_or_is_fresh(monkeypatch, capsys) -> None:
    monkeypatch.setenv("AUTOGRADERS_SEED", "31")
    run_check("derivative_at_test", namespace=namespace(RIGHT))
    assert "seed 31)" in capsys.readouterr().out
    monkeypatch.delenv("AUTOGRADERS_SEED")
    seeds = set()
    for _ in range(3):
        run_check("derivative_at_test", namespace=namespace(RIGHT))
        seeds.add(capsys.readouterr().out.rsplit("seed ", 1)[1])
    assert len(seeds) == 3


def test_prints_and_warnings_of_the_answer_stay_off_stderr(capsys) -> None:
    """Stock nbgrader gives 0 to a test cell with anything on stderr; the grader does not."""
    noisy = RIGHT.replace(
        "    return x.grad",
        "    import sys, warnings\n    warnings.warn('careful')\n"
        "    print('debug', file=sys.stderr)\n    return x.grad",
    )
    run_check("derivative_at_test", namespace=namespace(noisy), seed=3)
    captured = capsys.readouterr()
    assert captured.err == "" and "debug" in captured.out and "Passed" in captured.out


def test_figures_the_answer_opens_are_closed() -> None:
    import matplotlib.pyplot as plt

    plot = """
    import torch
    import matplotlib.pyplot as plt
    def plot_derivative(f, start, end, steps):
        x = torch.linspace(start, end, steps, requires_grad=True)
        y = f(x)
        y.sum().backward()
        fig, ax = plt.subplots()
        ax.plot(x.detach(), y.detach(), label="function")
        ax.plot(x.detach(), x.grad, label="derivative")
        ax.set_xlabel("x")
        ax.legend()
        return fig
    """
    kept = plt.figure()
    run_check("plot_derivative_test_lines", namespace=namespace(plot), seed=5)
    assert plt.get_fignums() == [kept.number]
    plt.close(kept)


def _solution_namespace(notebook: str) -> tuple[dict, list[str]]:
    """The namespace and code cells of a source notebook run without its test cells."""
    path = ROOT / "source" / "derivatives" / f"{notebook}.ipynb"
    cells = [
        cell.source
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
        and not (
            cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata.nbgrader.get("locked")
        )
    ]
    found: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notebooks show warnings on purpose (.grad)
        for source in cells:
            exec(compile(source, f"<{notebook}>", "exec"), found)  # the instructor's solution
    return found, cells


@pytest.mark.parametrize("notebook", problems.NOTEBOOKS)
def test_the_instructors_solution_passes_every_check_in_process(notebook: str, capsys) -> None:
    import matplotlib.pyplot as plt

    found, cells = _solution_namespace(notebook)
    plt.close("all")
    for problem in problems.for_notebook(notebook):
        for check in problem.checks:
            run_check(check.test_id, namespace=found, sources=cells, seed=11)
    assert capsys.readouterr().out.count("Passed: ") == sum(
        len(p.checks) for p in problems.for_notebook(notebook)
    )


def test_a_backward_that_ignores_grad_output_fails_in_process() -> None:
    found, cells = _solution_namespace("custom_backward")
    tutorial = """
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return i ** 2

    @staticmethod
    def backward(ctx, grad_output):
        (i,) = ctx.saved_tensors
        return 2 * i
"""
    exec(tutorial, found)
    with pytest.raises(AssertionError, match="grad_output"):
        run_check(
            "square_function_test_backward", namespace=found, sources=[*cells, tutorial], seed=2
        )


def test_an_unknown_check_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        run_check("no_such_test", namespace={})


@pytest.mark.slow
def test_in_a_real_kernel_the_hidden_region_fails_an_answer_the_visible_tests_pass() -> None:
    """A hard-coded `derivative_at` passes the visible tests (x ** 3 at 2, sin at 0) and fails
    the generated hidden region, in a Jupyter kernel running the source notebook."""
    path = ROOT / "source" / "derivatives" / "derivatives.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    cells[
        "derivative_at"
    ].source = "def derivative_at(f, x0):\n    return torch.tensor(12.0 if x0 == 2.0 else 1.0)"
    old_env = dict(os.environ)
    os.environ.update(course_env(ROOT))  # the kernel runs this venv's python
    try:
        NotebookClient(  # in the notebook's folder, where its test cells import checks.py
            notebook,
            timeout=120,
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    outputs = cells["derivative_at_test"].outputs
    assert outputs[0].text == "derivative_at: the visible tests pass.\n"
    errors = [output for output in outputs if output.output_type == "error"]
    assert errors and errors[0].ename == "AssertionError", outputs
    assert problems.CHECKS["derivative_at_test"].title in errors[0].evalue
    passed = cells["derivative_on_grid_test_values"].outputs
    assert "Passed: " in passed[-1].text and not [o for o in passed if o.get("name") == "stderr"]
