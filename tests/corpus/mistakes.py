"""Ordinary mistakes, each named after its bug: the grader takes exactly the points it costs
and, where it can, names the mistake in the feedback."""

from __future__ import annotations

from tests.corpus.answers import PLOT_OWN, cell, linear_with, plot_with, square_with_backward
from tests.corpus.spec import POINTS, STUB, Submission, zero

MISTAKES = [
    Submission(
        "blank",
        ("mistake",),
        answers=dict.fromkeys(POINTS, STUB),
        expected=zero(*POINTS),
        feedback={"derivative_at": "stub"},
    ),
    Submission(
        "forgot_sum_before_backward",
        ("mistake",),
        answers={
            "derivative_on_grid": cell("""
                def derivative_on_grid(f, start, end, steps):
                    x = torch.linspace(start, end, steps, requires_grad=True)
                    y = f(x)
                    y.backward()
                    return x.detach(), y.detach(), x.grad
            """),
            "plot_derivative": PLOT_OWN,
            "partials_on_grid": cell("""
                def partials_on_grid(f, u, v):
                    u = u.detach().clone().requires_grad_(True)
                    v = v.detach().clone().requires_grad_(True)
                    f(u, v).backward()
                    return u.grad, v.grad
            """),
        },
        expected=zero("derivative_on_grid", "partials_on_grid"),
        feedback={"derivative_on_grid": "Sum it first"},
    ),
    Submission(
        "returns_value_not_derivative",
        ("mistake",),
        answers={
            "derivative_at": cell("""
            def derivative_at(f, x0):
                x = torch.tensor(float(x0), requires_grad=True)
                return f(x).detach()
        """)
        },
        expected=zero("derivative_at"),
        feedback={"derivative_at": "not its derivative"},
    ),
    Submission(
        "accumulates_grad_in_global",
        ("module_state", "mistake"),
        answers={
            "derivative_at": cell("""
                x = torch.zeros((), requires_grad=True)


                def derivative_at(f, x0):
                    with torch.no_grad():
                        x.fill_(x0)
                    f(x).backward()
                    return x.grad.clone()
            """),
            "partial_derivatives": cell("""
                u = torch.zeros((), requires_grad=True)
                v = torch.zeros((), requires_grad=True)


                def partial_derivatives(f, u0, v0):
                    with torch.no_grad():
                        u.fill_(u0)
                        v.fill_(v0)
                    f(u, v).backward()
                    return u.grad.clone(), v.grad.clone()
            """),
        },
        expected=zero("derivative_at", "partial_derivatives"),
        feedback={"derivative_at": "accumulated", "partial_derivatives": "accumulated"},
    ),
    Submission(
        "forgot_detach_on_grid",
        ("mistake",),
        answers={
            "derivative_on_grid": cell("""
                def derivative_on_grid(f, start, end, steps):
                    x = torch.linspace(start, end, steps, requires_grad=True)
                    y = f(x)
                    y.sum().backward()
                    return x, y, x.grad
            """),
            "plot_derivative": PLOT_OWN,
        },
        expected={"derivative_on_grid": 2},
        feedback={"derivative_on_grid": ".detach()"},
    ),
    Submission(
        "grid_uses_arange_not_linspace",
        ("mistake",),
        answers={
            "derivative_on_grid": cell("""
                def derivative_on_grid(f, start, end, steps):
                    x = torch.arange(start, end, (end - start) / steps, requires_grad=True)
                    y = f(x)
                    y.sum().backward()
                    return x.detach(), y.detach(), x.grad
            """),
            "plot_derivative": PLOT_OWN,
        },
        expected={"derivative_on_grid": 1},
    ),
    Submission(
        "plot_no_legend",
        ("mistake",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                'ax.plot(x, y, label="function")',
                'ax.plot(x, dydx, label="derivative")',
                'ax.set_xlabel("x")',
                "return fig",
            )
        },
        expected={"plot_derivative": 2},
        feedback={"plot_derivative": "legend"},
    ),
    Submission(
        "plot_wrong_xlabel",
        ("mistake",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                'ax.plot(x, y, label="function")',
                'ax.plot(x, dydx, label="derivative")',
                'ax.set_xlabel("time")',
                "ax.legend()",
                "return fig",
            )
        },
        expected={"plot_derivative": 2},
        feedback={"plot_derivative": "x-axis label"},
    ),
    Submission(
        "plot_draws_value_twice",
        ("mistake",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                'ax.plot(x, y, label="function")',
                'ax.plot(x, y, label="derivative")',
                'ax.set_xlabel("x")',
                "ax.legend()",
                "return fig",
            )
        },
        expected={"plot_derivative": 1},
        feedback={"plot_derivative": "not its derivative"},
    ),
    Submission(
        "plot_returns_nothing",
        ("mistake",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                'ax.plot(x, y, label="function")',
                'ax.plot(x, dydx, label="derivative")',
                'ax.set_xlabel("x")',
                "ax.legend()",
                "plt.show()",
            )
        },
        expected=zero("plot_derivative"),
        feedback={"plot_derivative": "return the figure"},
    ),
    Submission(
        "partials_swapped",
        ("mistake",),
        answers={
            "partial_derivatives": cell("""
                def partial_derivatives(f, u0, v0):
                    u = torch.tensor(float(u0), requires_grad=True)
                    v = torch.tensor(float(v0), requires_grad=True)
                    f(u, v).backward()
                    return v.grad, u.grad
            """),
            "partials_on_grid": cell("""
                def partials_on_grid(f, u, v):
                    u = u.detach().clone().requires_grad_(True)
                    v = v.detach().clone().requires_grad_(True)
                    f(u, v).sum().backward()
                    return v.grad, u.grad
            """),
        },
        expected={"partial_derivatives": 0, "partials_on_grid": 1},
        feedback={"partial_derivatives": "swapped", "partials_on_grid": "swapped"},
    ),
    Submission(
        "modifies_inputs_in_place",
        ("in_place", "mistake"),
        answers={
            "partials_on_grid": cell("""
            def partials_on_grid(f, u, v):
                u.requires_grad_(True)
                v.requires_grad_(True)
                f(u, v).sum().backward()
                return u.grad.clone(), v.grad.clone()
        """)
        },
        expected={"partials_on_grid": 2},
        feedback={"partials_on_grid": "copy"},
    ),
    Submission(
        # `.to(torch.float64)` returns the caller's own tensor when it is float64 already
        "to_float64_aliases_float64_inputs",
        ("in_place", "mistake"),
        answers={
            "partials_on_grid": cell("""
            def partials_on_grid(f, u, v):
                u = u.to(torch.float64).requires_grad_(True)
                v = v.to(torch.float64).requires_grad_(True)
                dfdu, dfdv = torch.autograd.grad(f(u, v).sum(), (u, v))
                return dfdu, dfdv
        """)
        },
        expected={"partials_on_grid": 2},
        feedback={"partials_on_grid": "requires grad"},
    ),
    Submission(
        "overwrites_input_values",
        ("in_place", "mistake"),
        answers={
            "partials_on_grid": cell("""
            def partials_on_grid(f, u, v):
                uu = u.detach().clone().requires_grad_(True)
                vv = v.detach().clone().requires_grad_(True)
                f(uu, vv).sum().backward()
                u.mul_(0)  # "clean up" the caller's tensor
                return uu.grad, vv.grad
        """)
        },
        # and when the caller's u requires grad, the in-place change raises: values lost too
        expected={"partials_on_grid": 0},
        feedback={"partials_on_grid": "in place"},
    ),
    Submission(
        "ignores_grad_output",
        ("mistake",),
        answers={"square_function": square_with_backward("2 * i")},
        expected={"square_function": 1},
        feedback={"square_function": "ignores `grad_output`"},
    ),
    Submission(
        "square_missing_factor_two",
        ("mistake",),
        answers={"square_function": square_with_backward("grad_output * i")},
        expected={"square_function": 1},
        feedback={"square_function": "factor 2"},
    ),
    Submission(
        "linear_no_transpose",
        ("mistake",),
        answers={
            "linear_function": linear_with(
                "        ctx.save_for_backward(input, weight, bias)\n"
                "        out = input @ weight\n"
                "        return out if bias is None else out + bias",
                "        input, weight, bias = ctx.saved_tensors\n"
                "        grad_bias = None if bias is None else grad_output.sum(0)\n"
                "        return grad_output @ weight.T, input.T @ grad_output, grad_bias",
            )
        },
        expected=zero("linear_function"),
        feedback={"linear_function": "weight.T"},
    ),
    Submission(
        "linear_bias_none_breaks",
        ("mistake",),
        answers={
            "linear_function": linear_with(
                "        ctx.save_for_backward(input, weight, bias)\n"
                "        return input @ weight.T + bias",
                "        input, weight, bias = ctx.saved_tensors\n"
                "        return grad_output @ weight, grad_output.T @ input, grad_output.sum(0)",
            )
        },
        expected=zero("linear_function"),
    ),
    Submission(
        "linear_bias_grad_when_none",
        ("mistake",),
        answers={
            "linear_function": linear_with(
                "        ctx.save_for_backward(input, weight)\n"
                "        out = input @ weight.T\n"
                "        return out if bias is None else out + bias",
                "        input, weight = ctx.saved_tensors\n"
                "        return grad_output @ weight, grad_output.T @ input, grad_output.sum(0)",
            )
        },
        expected={"linear_function": 1},
        feedback={"linear_function": "None"},
    ),
    Submission(
        "linear_weight_grad_transposed",
        ("mistake",),
        answers={
            "linear_function": linear_with(
                "        ctx.save_for_backward(input, weight, bias)\n"
                "        out = input @ weight.T\n"
                "        return out if bias is None else out + bias",
                "        input, weight, bias = ctx.saved_tensors\n"
                "        grad_bias = None if bias is None else grad_output.sum(0)\n"
                "        return grad_output @ weight, input.T @ grad_output, grad_bias",
            )
        },
        expected={"linear_function": 1},
    ),
    Submission(
        "leaf_answers_wrong",
        ("mistake",),
        answers={
            "leaf_answers": cell("""
            is_leaf = {"a": True, "b": False, "c": False, "d": False, "e": False}
            has_grad = {"a": True, "b": False, "c": True, "d": False, "e": True}
        """)
        },
        expected=zero("leaf_answers"),
    ),
    Submission(
        "leaf_answers_half_right",
        ("mistake",),
        answers={
            "leaf_answers": cell("""
            is_leaf = {"a": True, "b": True, "c": False, "d": True, "e": False}
            has_grad = {"a": True, "b": False, "c": True, "d": False, "e": False}
        """)
        },
        expected={"leaf_answers": 1},
    ),
    Submission(
        "leaf_answers_as_strings",
        ("mistake",),
        answers={
            "leaf_answers": cell("""
            is_leaf = {"a": "True", "b": "True", "c": "False", "d": "True", "e": "False"}
            has_grad = {"a": 1, "b": 0, "c": 0, "d": 0, "e": 0}
        """)
        },
        expected=zero("leaf_answers"),
        feedback={"leaf_answers": "True or False"},
    ),
    Submission(
        "returns_python_float",
        ("mistake",),
        answers={
            "derivative_at": cell("""
            def derivative_at(f, x0):
                x = torch.tensor(float(x0), requires_grad=True)
                f(x).backward()
                return x.grad.item()
        """)
        },
        expected=zero("derivative_at"),
        feedback={"derivative_at": "torch tensor"},
    ),
    Submission(
        "scratch_cell_redefines_answer",
        ("mistake", "tampered_cells"),
        edit=lambda notebook, doc: (
            doc["cells"].append(
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": "def partials_on_grid(f, u, v):  # an old attempt, run last\n"
                    "    return u, v\n",
                }
            )
            if notebook == "partial_derivatives"
            else None
        ),
        expected={"partials_on_grid": 1},  # wrong values; the caller's u and v untouched
    ),
]
