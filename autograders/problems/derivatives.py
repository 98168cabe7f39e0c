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
STALE = (
    "The answer is the one of an earlier call: something kept from one call to the next (a "
    "cache or a global) answers for another function or point. Compute each call afresh."
)


def derivative_at_trial(rng: random.Random) -> Trial:
    cases = [(expr, inputs.point(rng)) for expr in inputs.pick(rng, inputs.ONE_VARIABLE, 3)]
    (f1, x1), (f2, _), (_, x3) = cases
    # twice each: accumulated .grad is caught; then another function at a point already seen
    # and a function already seen at another point: caches keyed on the wrong thing go stale
    calls = [case for case in cases for _ in range(2)] + [(f2, x1), (f1, x3)]

    def judge(answers: list) -> None:
        accumulated = previous = torch.zeros(1, dtype=torch.float64)
        for n, ((expr, x0), answer) in enumerate(zip(calls, answers, strict=True)):
            value, want = references.derivative(expr, [x0])
            accumulated = accumulated + want
            text = f"derivative_at(f, {x0}) with f(x) = {shown(expr)}"
            got = compare.one_element(compare.tensor(compare.returned(answer, text), text), text)
            mistakes = [(VALUE_NOT_DERIVATIVE, value)] + [(ACCUMULATED, accumulated)] * (n > 0)
            mistakes += [(STALE, previous)] if n > 0 else []
            previous = want
            compare.close(got, want, text, mistakes)

    return Trial([call("derivative_at", function(expr, "x"), x0) for expr, x0 in calls], judge)


def _grid_case(rng: random.Random) -> tuple[str, float, float, int]:
    return (inputs.pick(rng, inputs.ONE_VARIABLE, 1)[0], *inputs.grid(rng))


def _grid_text(name: str, expr: str, start: float, end: float, steps: int) -> str:
    return f"{name}(f, {start}, {end}, {steps}) with f(x) = {shown(expr)}"


def on_grid_values_trial(rng: random.Random) -> Trial:
    first, second = _grid_case(rng), _grid_case(rng)
    other = next(e for e in inputs.ONE_VARIABLE if e not in (first[0], second[0]))
    # the first grid again, with another function and then with its own: stale state shows
    cases = [first, second, (other, *first[1:]), first]

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


def _legend_entries(figure: dict, axes: dict) -> list[dict]:
    """The legend entries a reader sees: the Axes' legend, then any figure legend."""
    entries = list(axes.get("legend") or [])
    for legend in figure.get("figure_legends") or []:
        entries += legend or []
    return entries


def _entry(entries: list[dict], label: str) -> dict | None:
    return next((e for e in entries if str(e.get("text", "")).strip() == label), None)


def _line_index(figure: dict, label: str, text: str) -> int:
    """The line labelled `label`: by its own label, or else the line the legend entry of that
    text is drawn next to (matplotlib copies the line's colour, style and marker to the entry;
    `ax.legend(["function", "derivative"])` pairs entries with lines in order)."""
    lines = figure["axes"][0].get("lines", [])
    own = [k for k, line in enumerate(lines) if line.get("label") == label]
    entry = _entry(_legend_entries(figure, figure["axes"][0]), label)
    if not own and entry is not None:
        own = [
            k
            for k, line in enumerate(lines)
            if entry.get("style") and line.get("style") == entry["style"]
        ]
    if len(own) != 1:
        raise Mismatch(
            f"The plot from {text} should have one line labelled '{label}', found {len(own)}.",
            f'Pass `label="{label}"` to `plot`.',
        )
    return own[0]


def _line(figure: dict, label: str, text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The x and y data of the line labelled `label`."""
    line = figure["axes"][0]["lines"][_line_index(figure, label, text)]
    return (
        torch.tensor(line["x"], dtype=torch.float64),
        torch.tensor(line["y"], dtype=torch.float64),
    )


def _plot_cases(rng: random.Random) -> list[tuple[str, float, float, int]]:
    """Three calls: a figure, line or cache kept from one call to the next shows in another
    function on the same grid, or the same function on another grid."""
    first = _grid_case(rng)
    other = next(e for e in inputs.pick(rng, inputs.ONE_VARIABLE, 2) if e != first[0])
    return [first, (other, *first[1:]), (first[0], *_grid_case(rng)[1:])]


def plot_lines_trial(rng: random.Random) -> Trial:
    cases = _plot_cases(rng)

    def judge(answers: list) -> None:
        for (expr, start, end, steps), answer in zip(cases, answers, strict=True):
            text = _grid_text("plot_derivative", expr, start, end, steps)
            figure = _figure(answer, text)
            want_x = torch.linspace(start, end, steps, dtype=torch.float64)
            want_y, want_dydx = references.derivative(expr, want_x.tolist())
            for label, want in (("function", want_y), ("derivative", want_dydx)):
                x, y = _line(figure, label, text)
                compare.close(x, want_x, f"the x data of the '{label}' line")
                mistakes = [(VALUE_NOT_DERIVATIVE, want_y)] if label == "derivative" else []
                compare.close(y, want, f"the y data of the '{label}' line", mistakes)

    return Trial(
        [call("plot_derivative", function(e, "x"), s, t, n) for e, s, t, n in cases], judge
    )


def plot_labels_trial(rng: random.Random) -> Trial:
    cases = _plot_cases(rng)

    def judge(answers: list) -> None:
        for (expr, start, end, steps), answer in zip(cases, answers, strict=True):
            _labels(_figure(answer, _grid_text("plot_derivative", expr, start, end, steps)))

    return Trial(
        [call("plot_derivative", function(e, "x"), s, t, n) for e, s, t, n in cases], judge
    )


def _labels(figure: dict) -> None:
    axes = figure["axes"][0]
    if str(axes.get("xlabel", "")).strip().strip("$").strip() != "x":
        raise Mismatch(
            f"The x-axis label should be 'x', not {axes.get('xlabel')!r}.",
            'Call `ax.set_xlabel("x")` (or `plt.xlabel("x")`).',
        )
    entries = _legend_entries(figure, axes)
    if axes.get("legend") is None and not figure.get("figure_legends"):
        raise Mismatch("The plot has no legend.", "Call `ax.legend()` after plotting.")
    lines = axes.get("lines", [])
    for label in ("function", "derivative"):
        entry = _entry(entries, label)
        if entry is None:
            raise Mismatch(
                f"The legend has no entry '{label}'.", "Label each line, then call `ax.legend()`."
            )
        index = _line_index(figure, label, "plot_derivative")
        beside = [
            k
            for k, line in enumerate(lines)
            if entry.get("style") and line.get("style") == entry["style"]
        ]
        if entry.get("style") and index not in beside:
            raise Mismatch(
                f"The legend entry '{label}' is drawn next to another curve than the "
                f"'{label}' line.",
                "Let matplotlib pair them: `ax.plot(..., label=...)` for each line, then "
                "`ax.legend()`.",
            )


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
