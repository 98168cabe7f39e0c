"""derivatives.ipynb: `derivative_at`, `derivative_on_grid`, `plot_derivative`."""

from __future__ import annotations

import random

import torch

from autograders import compare, references
from autograders.compare import Mismatch
from autograders.problems import inputs
from autograders.problems.base import Check, Problem, Trial, call, function, shown

NOTEBOOK = "derivatives"
VALUE_NOT_DERIVATIVE = "It returns the function's value f(x), not its derivative."
ACCUMULATED = (
    "The answer changes when the function is called again: the gradient accumulated "
    "in `.grad` across calls. Make a fresh tensor with `requires_grad=True` in each "
    "call (or reset `.grad`)."
)


def derivative_at_trial(rng: random.Random) -> Trial:
    cases = [(expr, inputs.point(rng)) for expr in inputs.pick(rng, inputs.ONE_VARIABLE, 3)]
    calls = [case for case in cases for _ in range(2)]  # twice: accumulated .grad is caught

    def judge(answers: list) -> None:
        accumulated = torch.zeros(1, dtype=torch.float64)
        for n, ((expr, x0), answer) in enumerate(zip(calls, answers, strict=True)):
            value, want = references.derivative(expr, [x0])
            accumulated = accumulated + want
            text = f"derivative_at(f, {x0}) with f(x) = {shown(expr)}"
            got = compare.one_element(compare.tensor(compare.returned(answer, text), text), text)
            mistakes = [(VALUE_NOT_DERIVATIVE, value)] + [(ACCUMULATED, accumulated)] * (n > 0)
            compare.close(got, want, text, mistakes)

    return Trial([call("derivative_at", function(expr, "x"), x0) for expr, x0 in calls], judge)


def _grid_case(rng: random.Random) -> tuple[str, float, float, int]:
    return (inputs.pick(rng, inputs.ONE_VARIABLE, 1)[0], *inputs.grid(rng))


def _grid_text(name: str, expr: str, start: float, end: float, steps: int) -> str:
    return f"{name}(f, {start}, {end}, {steps}) with f(x) = {shown(expr)}"


def on_grid_values_trial(rng: random.Random) -> Trial:
    cases = [_grid_case(rng) for _ in range(2)]

    def judge(answers: list) -> None:
        for (expr, start, end, steps), answer in zip(cases, answers, strict=True):
            text = _grid_text("derivative_on_grid", expr, start, end, steps)
            x, y, dydx = compare.items(compare.returned(answer, text), 3, text)
            want_x = torch.linspace(start, end, steps, dtype=torch.float64)
            want_y, want_dydx = references.derivative(expr, want_x.tolist())
            for name, got, want in (("x", x, want_x), ("y", y, want_y), ("dydx", dydx, want_dydx)):
                received = compare.tensor(got, f"{name} from {text}")
                compare.shape_is(received, (steps,), f"{name} from {text}")
                mistakes = [(VALUE_NOT_DERIVATIVE, want_y)] if name == "dydx" else []
                compare.close(received.values, want, f"{name} from {text}", mistakes)

    return Trial(
        [call("derivative_on_grid", function(e, "x"), s, t, n) for e, s, t, n in cases], judge
    )


def on_grid_detached_trial(rng: random.Random) -> Trial:
    expr, start, end, steps = _grid_case(rng)
    text = _grid_text("derivative_on_grid", expr, start, end, steps)

    def judge(answers: list) -> None:
        for name, got in zip(
            "x y dydx".split(),
            compare.items(compare.returned(answers[0], text), 3, text),
            strict=True,
        ):
            if compare.tensor(got, f"{name} from {text}").requires_grad:
                raise Mismatch(
                    f"{name} returned by {text} still requires grad.",
                    "Return tensors detached from the graph: call `.detach()`.",
                )

    return Trial([call("derivative_on_grid", function(expr, "x"), start, end, steps)], judge)


def _figure(answer: object, text: str) -> dict:
    figure = compare.returned(answer, text)
    if figure.get("type") != "figure":
        raise Mismatch(
            f"{text} should return a matplotlib Figure, not {compare.describe(figure)}.",
            "Return the figure: `fig, ax = plt.subplots()` ... `return fig`.",
        )
    if len(figure.get("axes") or []) != 1:
        raise Mismatch(
            f"The figure from {text} should have exactly one Axes, not "
            f"{len(figure.get('axes') or [])}."
        )
    return figure


def _line(axes: dict, label: str, text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The x and y data of the line labelled `label`: by its own label, or else as matplotlib
    pairs `ax.legend(["function", "derivative"])`, the k-th legend text with the k-th line."""
    lines = [line for line in axes.get("lines", []) if line.get("label") == label]
    legend = axes.get("legend") or []
    if not lines and label in legend and legend.index(label) < len(axes.get("lines", [])):
        lines = [axes["lines"][legend.index(label)]]
    if len(lines) != 1:
        raise Mismatch(
            f"The plot from {text} should have one line labelled '{label}', found {len(lines)}.",
            f'Pass `label="{label}"` to `plot`.',
        )
    return (
        torch.tensor(lines[0]["x"], dtype=torch.float64),
        torch.tensor(lines[0]["y"], dtype=torch.float64),
    )


def plot_lines_trial(rng: random.Random) -> Trial:
    expr, start, end, steps = _grid_case(rng)
    text = _grid_text("plot_derivative", expr, start, end, steps)

    def judge(answers: list) -> None:
        axes = _figure(answers[0], text)["axes"][0]
        want_x = torch.linspace(start, end, steps, dtype=torch.float64)
        want_y, want_dydx = references.derivative(expr, want_x.tolist())
        for label, want in (("function", want_y), ("derivative", want_dydx)):
            x, y = _line(axes, label, text)
            compare.close(x, want_x, f"the x data of the '{label}' line")
            mistakes = [(VALUE_NOT_DERIVATIVE, want_y)] if label == "derivative" else []
            compare.close(y, want, f"the y data of the '{label}' line", mistakes)

    return Trial([call("plot_derivative", function(expr, "x"), start, end, steps)], judge)


def plot_labels_trial(rng: random.Random) -> Trial:
    expr, start, end, steps = _grid_case(rng)
    text = _grid_text("plot_derivative", expr, start, end, steps)

    def judge(answers: list) -> None:
        figure = _figure(answers[0], text)
        axes = figure["axes"][0]
        if str(axes.get("xlabel", "")).strip().strip("$").strip() != "x":
            raise Mismatch(
                f"The x-axis label should be 'x', not {axes.get('xlabel')!r}.",
                'Call `ax.set_xlabel("x")` (or `plt.xlabel("x")`).',
            )
        if axes.get("legend") is None and not figure.get("figure_legends"):
            raise Mismatch("The plot has no legend.", "Call `ax.legend()` after plotting.")

    return Trial([call("plot_derivative", function(expr, "x"), start, end, steps)], judge)


PROBLEMS = (
    Problem(
        "derivative_at",
        NOTEBOOK,
        (
            Check(
                "derivative_at_test",
                2,
                "derivative_at: derivatives at hidden functions and points, each called twice",
                derivative_at_trial,
            ),
        ),
    ),
    Problem(
        "derivative_on_grid",
        NOTEBOOK,
        (
            Check(
                "derivative_on_grid_test_values",
                2,
                "derivative_on_grid: x, y and dydx on hidden grids",
                on_grid_values_trial,
            ),
            Check(
                "derivative_on_grid_test_detached",
                1,
                "derivative_on_grid: returned tensors do not require grad",
                on_grid_detached_trial,
            ),
        ),
    ),
    Problem(
        "plot_derivative",
        NOTEBOOK,
        (
            Check(
                "plot_derivative_test_lines",
                2,
                "plot_derivative: the 'function' and 'derivative' lines",
                plot_lines_trial,
            ),
            Check(
                "plot_derivative_test_labels",
                1,
                "plot_derivative: x-axis label and legend",
                plot_labels_trial,
            ),
        ),
    ),
)
