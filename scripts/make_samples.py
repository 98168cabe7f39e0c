"""Make the demo submissions of the `derivatives` assignment from its release notebooks.

    python scripts/make_samples.py            # writes samples/submitted/, samples/README.md
                                              # and samples/expected_scores.json
    python scripts/make_samples.py --out DIR  # the same files under DIR (used by the tests)

Four students, in nbgrader's submitted layout (submitted/<student>/derivatives/<notebook>):
alice answers everything right in her own style, bob and carol make typical mistakes, dan hands
in the release as it came. Every test cell is worth all its points or none, so a student's
expected score is the full points minus those of the test cells listed in FAILS.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: find the autograders package

from autograders import problems  # noqa: E402
from autograders.authoring.fill import fill_answers  # noqa: E402
from autograders.problems.manual import MANUAL  # noqa: E402

ASSIGNMENT = problems.ASSIGNMENT
NOTEBOOKS = problems.NOTEBOOKS
RELEASE = ROOT / "release" / ASSIGNMENT
SAMPLES = ROOT / "samples"


def _code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


ALICE = {  # right everywhere, with torch.func, torch.autograd.grad and float64
    "derivative_at": _code('''
        def derivative_at(f, x0):
            """f'(x0): torch.func.grad turns f into its derivative."""
            return torch.func.grad(f)(torch.tensor(x0, dtype=torch.float64))
    '''),
    "derivative_on_grid": _code("""
        def derivative_on_grid(f, start, end, steps):
            x = torch.linspace(start, end, steps, dtype=torch.float64, requires_grad=True)
            y = f(x)
            (dydx,) = torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y))
            return x.detach(), y.detach(), dydx
    """),
    "plot_derivative": _code("""
        def plot_derivative(f, start, end, steps):
            x, y, dydx = derivative_on_grid(f, start, end, steps)
            fig = plt.figure(figsize=(5, 3))
            ax = fig.add_subplot()
            ax.plot(x, y, label="function")
            ax.plot(x, dydx, "--", label="derivative")
            ax.set(xlabel="x", title="f and its derivative")
            ax.legend(loc="best")
            return fig
    """),
    "why_detach": "NumPy shares the memory of the tensor but autograd cannot track what NumPy "
    "does with it, so gradients could silently become wrong. detach() makes a tensor that is "
    "outside the graph, so it is safe to give to NumPy.",
    "partial_derivatives": _code("""
        def partial_derivatives(f, u0, v0):
            u = torch.tensor(u0, dtype=torch.float64, requires_grad=True)
            v = torch.tensor(v0, dtype=torch.float64, requires_grad=True)
            return torch.autograd.grad(f(u, v), (u, v))
    """),
    "partials_on_grid": _code("""
        def partials_on_grid(f, u, v):
            return torch.func.vmap(torch.func.grad(f, argnums=(0, 1)))(u, v)
    """),
    "square_function": _code("""
        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                ctx.save_for_backward(i)
                return i * i

            @staticmethod
            def backward(ctx, grad_output):
                i, = ctx.saved_tensors
                return 2.0 * i * grad_output
    """),
    "linear_function": _code("""
        class LinearFunction(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input, weight, bias=None):
                ctx.save_for_backward(input, weight, bias)
                output = input.mm(weight.t())
                if bias is not None:
                    output += bias.unsqueeze(0).expand_as(output)
                return output

            @staticmethod
            def backward(ctx, grad_output):
                input, weight, bias = ctx.saved_tensors
                grad_input = grad_weight = grad_bias = None
                if ctx.needs_input_grad[0]:
                    grad_input = grad_output.mm(weight)
                if ctx.needs_input_grad[1]:
                    grad_weight = grad_output.t().mm(input)
                if bias is not None and ctx.needs_input_grad[2]:
                    grad_bias = grad_output.sum(0)
                return grad_input, grad_weight, grad_bias
    """),
    "leaf_answers": _code("""
        is_leaf = dict(a=True, b=True, c=False, d=True, e=False)
        has_grad = dict(a=True, b=False, c=False, d=False, e=False)
    """),
}

BOB = {  # typical mistakes: a float, no labels, swapped partials, the tutorial Square
    "derivative_at": _code("""
        def derivative_at(f, x0):
            x = torch.tensor(x0, requires_grad=True)
            f(x).backward()
            return x.grad.item()
    """),
    "derivative_on_grid": _code("""
        def derivative_on_grid(f, start, end, steps):
            x = torch.linspace(start, end, steps, requires_grad=True)
            y = f(x)
            y.sum().backward()
            return x.detach(), y.detach(), x.grad
    """),
    "plot_derivative": _code("""
        def plot_derivative(f, start, end, steps):
            x, y, dydx = derivative_on_grid(f, start, end, steps)
            fig, ax = plt.subplots()
            ax.plot(x.numpy(), y.numpy(), label="function")
            ax.plot(x.numpy(), dydx.numpy(), label="derivative")
            return fig
    """),
    "why_detach": "Because numpy() only works on tensors without gradients.",
    "partial_derivatives": _code("""
        def partial_derivatives(f, u0, v0):
            u = torch.tensor(u0, requires_grad=True)
            v = torch.tensor(v0, requires_grad=True)
            f(u, v).backward()
            return v.grad, u.grad
    """),
    "partials_on_grid": _code("""
        def partials_on_grid(f, u, v):
            u = u.clone().requires_grad_()
            v = v.clone().requires_grad_()
            f(u, v).sum().backward()
            return v.grad, u.grad
    """),
    "square_function": _code("""
        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                ctx.save_for_backward(i)
                return i ** 2

            @staticmethod
            def backward(ctx, grad_output):
                i, = ctx.saved_tensors
                return 2 * i
    """),
    "linear_function": _code("""
        class LinearFunction(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input, weight, bias=None):
                ctx.save_for_backward(input, weight)
                output = input @ weight.T
                if bias is not None:
                    output = output + bias
                return output

            @staticmethod
            def backward(ctx, grad_output):
                input, weight = ctx.saved_tensors
                return grad_output @ weight, grad_output.T @ input, grad_output.sum(0)
    """),
    "leaf_answers": _code("""
        is_leaf = {"a": True, "b": True, "c": False, "d": True, "e": False}
        has_grad = {"a": True, "b": False, "c": True, "d": False, "e": False}
    """),
}

CAROL = {  # a global tensor whose .grad piles up, no detach, detach() thought not a leaf
    "derivative_at": _code("""
        x = torch.tensor(0.0, requires_grad=True)

        def derivative_at(f, x0):
            with torch.no_grad():
                x.fill_(x0)
            f(x).backward()
            return x.grad
    """),
    "derivative_on_grid": _code("""
        def derivative_on_grid(f, start, end, steps):
            x = torch.linspace(start, end, steps, requires_grad=True)
            y = f(x)
            y.sum().backward()
            return x, y, x.grad
    """),
    "plot_derivative": _code("""
        def plot_derivative(f, start, end, steps):
            x, y, dydx = derivative_on_grid(f, start, end, steps)
            fig, ax = plt.subplots()
            ax.plot(x, y, label="function")
            ax.plot(x, dydx, label="derivative")
            ax.set_xlabel("x")
            ax.legend()
            return fig
    """),
    "why_detach": "A tensor that requires grad is part of the graph. NumPy cannot record "
    "operations for autograd and shares the memory, so PyTorch asks us to detach() first; the "
    "detached tensor has the same data but is no longer tracked.",
    "partial_derivatives": _code("""
        def partial_derivatives(f, u0, v0):
            u = torch.tensor(u0, requires_grad=True)
            v = torch.tensor(v0, requires_grad=True)
            f(u, v).backward()
            return u.grad, v.grad
    """),
    "partials_on_grid": _code("""
        def partials_on_grid(f, u, v):
            u = torch.tensor(u, requires_grad=True)  # copies, with a UserWarning
            v = torch.tensor(v, requires_grad=True)
            f(u, v).sum().backward()
            return u.grad, v.grad
    """),
    "square_function": _code("""
        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                ctx.save_for_backward(i)
                return i.pow(2)

            @staticmethod
            def backward(ctx, grad_output):
                (i,) = ctx.saved_tensors
                return grad_output * (2 * i)
    """),
    "linear_function": _code("""
        class LinearFunction(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input, weight, bias=None):
                ctx.save_for_backward(input, weight)
                ctx.has_bias = bias is not None
                output = input @ weight.t()
                return output + bias if ctx.has_bias else output

            @staticmethod
            def backward(ctx, grad_output):
                input, weight = ctx.saved_tensors
                grad_bias = grad_output.sum(dim=0) if ctx.has_bias else None
                return grad_output @ weight, grad_output.t() @ input, grad_bias
    """),
    "leaf_answers": _code("""
        is_leaf = {"a": True, "b": True, "c": False, "d": False, "e": False}
        has_grad = {"a": True, "b": False, "c": False, "d": False, "e": False}
    """),
}

ANSWERS: dict[str, dict[str, str]] = {"alice": ALICE, "bob": BOB, "carol": CAROL, "dan": {}}

# The test cells each student fails, with the reason; every other test cell gives full points.
FAILS: dict[str, dict[str, str]] = {
    "alice": {},
    "bob": {
        "derivative_at_test": "returns x.grad.item(), a float, not a tensor",
        "plot_derivative_test_labels": "no x-axis label and no legend",
        "partial_derivatives_test": "returns (df/dv, df/du)",
        "partials_on_grid_test_values": "returns (df/dv, df/du)",
        "partials_on_grid_test_inputs": "copies u and v with clone() but not detach(): when the "
        "caller's u and v require grad, the gradients land in them",
        "square_function_test_backward": "the tutorial Square: backward ignores grad_output",
        "linear_function_test_backward": "returns a bias gradient when bias is None",
        "leaf_answers_test_has_grad": "thinks the intermediate c keeps its .grad",
    },
    "carol": {
        "derivative_at_test": "a global x whose .grad accumulates: the second call is wrong",
        "derivative_on_grid_test_detached": "returns x and y that still require grad",
        "plot_derivative_test_lines": "plots tensors that require grad: numpy() raises",
        "plot_derivative_test_labels": "plots tensors that require grad: numpy() raises",
        "leaf_answers_test_is_leaf": "thinks c.detach() is not a leaf",
    },
    "dan": {},  # the release as it came: every test fails, listed by expected_scores()
}


def test_cells(release: Path) -> dict[str, dict[str, float]]:
    """notebook -> {autograded test cell grade_id -> points}, from the registry.

    Raises:
        ValueError: the release's test cells are not the registry's checks (a stale release:
            run `python -m autograders.authoring.sync_tests`, then regenerate it).
    """
    cells: dict[str, dict[str, float]] = {}
    for name in NOTEBOOKS:
        cells[name] = {
            check.test_id: float(check.points)
            for problem in problems.for_notebook(name)
            for check in problem.checks
        }
        notebook = nbformat.read(release / f"{name}.ipynb", as_version=4)
        released = {
            cell.metadata.nbgrader["grade_id"]: float(cell.metadata.nbgrader["points"])
            for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade")
            and not cell.metadata.nbgrader.get("solution")
        }
        if released != cells[name]:
            raise ValueError(f"{release / name}.ipynb is stale: {released} != {cells[name]}")
    return cells


def expected_scores(release: Path) -> dict[str, dict[str, dict[str, float]]]:
    """student -> notebook -> {test cell grade_id -> expected autograded points}."""
    cells = test_cells(release)
    scores: dict[str, dict[str, dict[str, float]]] = {}
    for student in ANSWERS:
        scores[student] = {
            name: {
                test_id: 0.0 if student == "dan" or test_id in FAILS[student] else points
                for test_id, points in tests.items()
            }
            for name, tests in cells.items()
        }
    return scores


def readme(release: Path) -> str:
    """samples/README.md: the students, their expected points per test cell, and why."""
    cells, scores = test_cells(release), expected_scores(release)
    students = list(ANSWERS)
    by_hand = " ".join(
        f"`{q.question_id}`, {q.points:g} point{'s' * (q.points != 1)}," for q in MANUAL
    )
    by_hand += " is" if len(MANUAL) == 1 else " are"
    lines = [
        "# Demo submissions of the `derivatives` assignment",
        "",
        "Generated by `scripts/make_samples.py` from `release/derivatives/`: edit that script, "
        "not these files.",
        "`submitted/` has nbgrader's layout, so a copy of it in a course folder can be graded "
        "with `nbgrader autograde derivatives`. `expected_scores.json` holds the points below "
        "as data; `tests/assignment/` checks them against real nbgrader.",
        "",
        "- **alice**: every answer right, in her own style (`torch.func`, "
        "`torch.autograd.grad`, float64).",
        "- **bob**: typical mistakes (the tutorial `Square`, swapped partial derivatives).",
        "- **carol**: state kept between calls, a forgotten `detach()`.",
        "- **dan**: hands in the release notebooks unchanged.",
        "",
        f"Expected autograded points per test cell ({by_hand} graded by hand):",
        "",
        "| notebook | question | test cell | max | " + " | ".join(students) + " |",
        "|---|---|---|---|" + "---|" * len(students),
    ]
    for name, tests in cells.items():
        for test_id, points in tests.items():
            row = [f"{scores[s][name][test_id]:g}" for s in students]
            question = test_id.split("_test")[0]  # test cell ids are <question id>_test...
            lines.append(
                f"| {name} | `{question}` | `{test_id}` | {points:g} | " + " | ".join(row) + " |"
            )
    totals = [f"**{sum(sum(t.values()) for t in scores[s].values()):g}**" for s in students]
    maximum = sum(sum(tests.values()) for tests in cells.values())
    lines += [f"| **total** | | | **{maximum:g}** | " + " | ".join(totals) + " |", ""]
    lines += ["Why points are lost:", ""]
    for student, fails in FAILS.items():
        for test_id, reason in fails.items():
            lines.append(f"- {student}, `{test_id}`: {reason}.")
    lines += ["- dan: every test cell, since every answer still raises NotImplementedError.", ""]
    return "\n".join(lines)


def make_samples(*, release: Path = RELEASE, out: Path = SAMPLES) -> None:
    """Write out/submitted/<student>/derivatives/*.ipynb, README.md and expected_scores.json."""
    for student, answers in ANSWERS.items():
        for name in NOTEBOOKS:
            notebook = nbformat.read(release / f"{name}.ipynb", as_version=4)
            ids = {
                c.metadata.nbgrader["grade_id"]
                for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("solution")
            }
            dest = out / "submitted" / student / ASSIGNMENT / f"{name}.ipynb"
            fill_answers(
                release / f"{name}.ipynb",
                {key: code for key, code in answers.items() if key in ids},
                dest,
            )
    scores = json.dumps(expected_scores(release), indent=2) + "\n"
    (out / "expected_scores.json").write_text(scores, encoding="utf-8")
    (out / "README.md").write_text(readme(release), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=RELEASE, help="the release notebooks")
    parser.add_argument("--out", type=Path, default=SAMPLES, help="where samples/ is written")
    args = parser.parse_args()
    make_samples(release=args.release, out=args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
