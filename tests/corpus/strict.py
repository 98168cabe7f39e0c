"""Mistakes that pass a grader which checks only what the examples check (GRADING_THREATS.md,
second part), and self-reports a grader must not believe. Each is right on the notebook's
visible examples and wrong on the kind of input the registry now also asks about: a second,
interleaved or nested application, an input object passed again, an optional argument left
out, an input that does not require grad, another function at the same point.
"""

from __future__ import annotations

from tests.corpus.answers import PLOT_OWN, cell, linear_with, plot_with
from tests.corpus.spec import Submission

LINEAR_BACKWARD = (
    "        input, weight, bias = ctx.saved_tensors\n"
    "        grad_bias = grad_output.sum(0) if bias is not None else None\n"
    "        return grad_output @ weight, grad_output.T @ input, grad_bias"
)
LINEAR_FORWARD = (
    "        ctx.save_for_backward(input, weight, bias)\n"
    "        out = input @ weight.T\n"
    "        return out if bias is None else out + bias"
)

STATE_OUTSIDE_CTX = [
    Submission(
        "square_saves_on_the_class",
        ("mistake",),
        answers={
            "square_function": cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    Square.saved = i  # shared by every application
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    return grad_output * 2 * Square.saved
        """)
        },
        expected={"square_function": 1},
        feedback={"square_function": "ctx.save_for_backward"},
    ),
    Submission(
        "square_saves_in_a_global",
        ("mistake", "module_state"),
        answers={
            "square_function": cell("""
            _saved = []


            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    _saved.append(i)
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    return grad_output * 2 * _saved.pop(0)
        """)
        },
        expected={"square_function": 1},
    ),
    Submission(
        "linear_saves_on_the_class",
        ("mistake",),
        answers={
            "linear_function": linear_with(
                "        LinearFunction.saved = (input, weight, bias)\n"
                "        out = input @ weight.T\n"
                "        return out if bias is None else out + bias",
                "        input, weight, bias = LinearFunction.saved\n"
                "        grad_bias = grad_output.sum(0) if bias is not None else None\n"
                "        return grad_output @ weight, grad_output.T @ input, grad_bias",
            )
        },
        expected={"linear_function": 1},
    ),
]

IN_PLACE = [
    Submission(
        "square_forward_squares_its_input",
        ("in_place", "mistake"),
        answers={
            "square_function": cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    ctx.save_for_backward(i.clone())
                    return i.mul_(i)  # the caller's tensor is squared too

                @staticmethod
                def backward(ctx, grad_output):
                    (i,) = ctx.saved_tensors
                    return grad_output * 2 * i
        """)
        },
        expected={"square_function": 0},
        feedback={"square_function": "in place"},
    ),
]

CALLED_OTHERWISE = [
    Submission(
        "linear_needs_input_grad_misread",
        ("mistake",),
        answers={
            "linear_function": linear_with(
                LINEAR_FORWARD,
                "        input, weight, bias = ctx.saved_tensors\n"
                "        need_input, need_weight, _ = ctx.needs_input_grad\n"
                "        grad_input = grad_output @ weight if need_weight else None\n"
                "        grad_weight = grad_output.T @ input if need_input else None\n"
                "        grad_bias = grad_output.sum(0) if bias is not None else None\n"
                "        return grad_input, grad_weight, grad_bias",
            )
        },
        expected={"linear_function": 1},
    ),
    Submission(
        "linear_bias_argument_required",
        ("mistake",),
        answers={
            "linear_function": cell("""
            class LinearFunction(torch.autograd.Function):
                @staticmethod
                def forward(ctx, input, weight, bias):
                    ctx.save_for_backward(input, weight, bias)
                    out = input @ weight.T
                    return out if bias is None else out + bias

                @staticmethod
                def backward(ctx, grad_output):
                    input, weight, bias = ctx.saved_tensors
                    grad_bias = grad_output.sum(0) if bias is not None else None
                    return grad_output @ weight, grad_output.T @ input, grad_bias
        """)
        },
        expected={"linear_function": 0},
    ),
]

STALE_STATE = [
    Submission(
        "derivative_at_cached_by_point",
        ("module_state", "mistake"),
        answers={
            "derivative_at": cell("""
            _cache = {}


            def derivative_at(f, x0):
                if x0 not in _cache:
                    x = torch.tensor(float(x0), requires_grad=True)
                    f(x).backward()
                    _cache[x0] = x.grad
                return _cache[x0]
        """)
        },
        expected={"derivative_at": 0},
    ),
    Submission(
        "derivative_on_grid_cached_by_grid",
        ("module_state", "mistake"),
        answers={
            "derivative_on_grid": cell("""
            _cache = {}


            def derivative_on_grid(f, start, end, steps):
                key = (start, end, steps)
                if key not in _cache:
                    x = torch.linspace(start, end, steps, requires_grad=True)
                    y = f(x)
                    y.sum().backward()
                    _cache[key] = (x.detach(), y.detach(), x.grad)
                return _cache[key]
        """),
            "plot_derivative": PLOT_OWN,
        },
        expected={"derivative_on_grid": 1},
    ),
    Submission(
        "partial_derivatives_cached_by_function",
        ("module_state", "mistake"),
        answers={
            "partial_derivatives": cell("""
            _cache = {}


            def partial_derivatives(f, u0, v0):
                key = f.__code__.co_code  # the function's code, not the point
                if key not in _cache:
                    u = torch.tensor(float(u0), requires_grad=True)
                    v = torch.tensor(float(v0), requires_grad=True)
                    f(u, v).backward()
                    _cache[key] = (u.grad, v.grad)
                return _cache[key]
        """)
        },
        expected={"partial_derivatives": 0},
    ),
    Submission(
        "plot_derivative_draws_on_one_global_figure",
        ("module_state", "mistake"),
        answers={
            "plot_derivative": cell("""
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots()


            def plot_derivative(f, start, end, steps):
                x = torch.linspace(start, end, steps, requires_grad=True)
                y = f(x)
                y.sum().backward()
                ax.plot(x.detach().numpy(), y.detach().numpy(), label="function")
                ax.plot(x.detach().numpy(), x.grad.numpy(), label="derivative")
                ax.set_xlabel("x")
                ax.legend()
                return fig
        """)
        },
        expected={"plot_derivative": 0},
    ),
]

LEGENDS = [
    Submission(
        "plot_legend_names_the_wrong_curves",
        ("mistake",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                'ax.plot(x, y, label="function")',
                'ax.plot(x, dydx, label="derivative")',
                'ax.legend(["derivative", "function"])',
                'ax.set_xlabel("x")',
                "return fig",
            )
        },
        expected={"plot_derivative": 2},
        feedback={"plot_derivative": "another curve"},
    ),
    Submission(
        "plot_legend_only_labels",
        ("honest_variants",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                "ax.plot(x, y)",
                'ax.plot(x, dydx, "--")',
                'ax.legend(["function", "derivative"])',
                'ax.set_xlabel("x")',
                "return fig",
            )
        },
    ),
]

# The harness inside the child reports about the student's objects; rewriting it gains nothing
# where verdicts rest on values and on the source text read by the grader.
HARNESS_REWRITES = [
    Submission(
        "rewrites_the_probes_to_claim_a_function",
        ("fake_function", "rebinding"),
        answers={
            "square_function": cell("""
            import sys


            class Square:  # plain autograd, no backward of its own
                @staticmethod
                def apply(i):
                    return i ** 2


            _probes = sys.modules.get("autograders.sandbox.child.probes")
            if _probes is not None:
                _probes._issubclass = lambda *args: True
                _probes._isinstance = lambda *args: True
        """)
        },
        # breaking the harness for everything costs the honest LinearFunction its backward too
        expected={"square_function": 0, "linear_function": 1},
    ),
    Submission(
        "rewrites_the_direct_backward_probe",
        ("fake_function", "rebinding"),
        answers={
            "square_function": cell("""
            import sys


            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    with torch.enable_grad():
                        return i * 1.0

                @staticmethod
                def backward(ctx, grad_output):
                    raise RuntimeError("no backward written")

                @staticmethod
                def apply(i):
                    return i ** 2


            _probes = sys.modules.get("autograders.sandbox.child.probes")
            if _probes is not None:  # answer the direct call with the forward's own value
                _probes.OPERATIONS["backward_direct"] = lambda op, ns, regs: {
                    "ok": True, "value": {"type": "none"}}
        """)
        },
        expected={"square_function": 1, "linear_function": 1},
    ),
]

STRICT = STATE_OUTSIDE_CTX + IN_PLACE + CALLED_OTHERWISE + STALE_STATE + LEGENDS
