"""Correct work, written the many ways students write it: every one earns full marks."""

from __future__ import annotations

from tests.corpus.answers import (
    DERIVATIVE_AT_BACKWARD,
    LINEAR,
    ON_GRID_BACKWARD,
    PARTIALS_BACKWARD,
    PARTIALS_ON_GRID_BACKWARD,
    SQUARE,
    cell,
    plot_with,
)
from tests.corpus.spec import REFERENCE, Submission

HONEST = [
    Submission("solution", ("honest_variants",)),
    Submission(
        "solution_backward_float32",
        ("honest_variants",),
        answers={
            "derivative_at": DERIVATIVE_AT_BACKWARD,
            "derivative_on_grid": ON_GRID_BACKWARD,
            "partial_derivatives": PARTIALS_BACKWARD,
            "partials_on_grid": PARTIALS_ON_GRID_BACKWARD,
            "square_function": SQUARE,
            "linear_function": LINEAR,
        },
    ),
    Submission(
        "solution_autograd_grad_float64",
        ("honest_variants",),
        answers={
            "derivative_at": cell("""
                def derivative_at(f, x0):
                    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
                    (dydx,) = torch.autograd.grad(f(x).sum(), x)
                    return dydx
            """),
            "derivative_on_grid": cell("""
                def derivative_on_grid(f, start, end, steps):
                    x = torch.linspace(start, end, steps, dtype=torch.float64, requires_grad=True)
                    y = f(x)
                    (dydx,) = torch.autograd.grad(y.sum(), x)
                    return x.detach(), y.detach(), dydx
            """),
            "partial_derivatives": cell("""
                def partial_derivatives(f, u0, v0):
                    u = torch.tensor(u0, dtype=torch.float64, requires_grad=True)
                    v = torch.tensor(v0, dtype=torch.float64, requires_grad=True)
                    return torch.autograd.grad(f(u, v), (u, v))
            """),
            "partials_on_grid": cell("""
                def partials_on_grid(f, u, v):
                    u = u.detach().to(torch.float64).requires_grad_(True)
                    v = v.detach().to(torch.float64).requires_grad_(True)
                    dfdu, dfdv = torch.autograd.grad(f(u, v).sum(), (u, v))
                    return dfdu, dfdv
            """),
        },
    ),
    Submission(
        "solution_torch_func",
        ("honest_variants",),
        answers={
            "derivative_at": cell("""
                from torch.func import grad, vmap


                def derivative_at(f, x0):
                    return grad(f)(torch.tensor(float(x0)))
            """),
            "derivative_on_grid": cell("""
                def derivative_on_grid(f, start, end, steps):
                    x = torch.linspace(start, end, steps)
                    return x, f(x), vmap(grad(f))(x)
            """),
            "partial_derivatives": cell("""
                from torch.func import grad


                def partial_derivatives(f, u0, v0):
                    return grad(f, argnums=(0, 1))(torch.tensor(u0), torch.tensor(v0))
            """),
            "partials_on_grid": cell("""
                from torch.func import grad, vmap


                def partials_on_grid(f, u, v):
                    return vmap(grad(f, argnums=(0, 1)))(u, v)
            """),
        },
    ),
    Submission(
        "solution_object_api_plot",
        ("honest_variants",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots(figsize=(5, 3))",
                'ax.plot(x, y, "-", color="C0", label="function")',
                'ax.plot(x, dydx, "--", color="C1", label="derivative")',
                'ax.set_xlabel("x")',
                'ax.set_ylabel("value")',
                'ax.set_title("f and its derivative")',
                "ax.grid(True)",
                'ax.legend(loc="best")',
                "fig.tight_layout()",
                "return fig",
            )
        },
    ),
    Submission(
        # labels given to the legend only: matplotlib pairs them with the lines in order
        "solution_legend_labels_only",
        ("honest_variants",),
        answers={
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                "ax.plot(x, y)",
                "ax.plot(x, dydx)",
                'ax.set_xlabel("x")',
                'ax.legend(["function", "derivative"])',
                "return fig",
            )
        },
    ),
    Submission(
        "solution_pyplot_state_api_plot",
        ("honest_variants",),
        answers={
            "plot_derivative": plot_with(
                "fig = plt.figure()",
                'plt.plot(list(x), list(y), label="function")',
                'plt.plot(x, dydx, label="derivative")',
                'plt.xlabel("$x$")',
                "plt.legend()",
                "return plt.gcf()",
            )
        },
    ),
    Submission(
        "solution_prints_and_warns",
        ("honest_noise",),
        answers={
            "derivative_at": cell("""
                import sys
                import warnings

                print("defining derivative_at", file=sys.stderr)


                def derivative_at(f, x0):
                    x = torch.tensor(float(x0), requires_grad=True)
                    y = f(x)
                    y.backward()
                    print(f"f'({x0}) = {x.grad}")
                    print("debug: y.grad is", y.grad, file=sys.stderr)  # torch UserWarning
                    warnings.warn("just a warning from the student", UserWarning)
                    warnings.warn("and a deprecation", DeprecationWarning)
                    return x.grad
            """),
            "partials_on_grid": cell("""
                import sys
                import warnings


                def partials_on_grid(f, u, v):
                    sys.stderr.write("Traceback (most recent call last): not really\\n")
                    warnings.warn("partials_on_grid is slow", RuntimeWarning)
                    u = u.detach().clone().requires_grad_(True)
                    v = v.detach().clone().requires_grad_(True)
                    out = f(u, v)
                    out.sum().backward()
                    print(out.grad_fn, u.grad, v.grad)
                    return u.grad, v.grad
            """),
            "square_function": "import warnings\n"
            + SQUARE.replace(
                "return i ** 2", 'warnings.warn("forward called")\n        return i ** 2'
            ),
        },
    ),
    Submission(
        "solution_magics_and_show",
        ("honest_noise",),
        answers={
            "derivative_at": "%matplotlib inline\n%load_ext autoreload\n"
            + REFERENCE
            + "\n%time derivative_at(torch.sin, 0.0)\n",
            "derivative_on_grid": "%%time\n"
            + REFERENCE
            + "\nderivative_on_grid(torch.sin, 0, 1, 5)\n",
            "plot_derivative": plot_with(
                "fig, ax = plt.subplots()",
                'ax.plot(x, y, label="function")',
                'ax.plot(x, dydx, label="derivative")',
                'ax.set_xlabel("x")',
                "ax.legend()",
                "plt.show()",
                "display(fig)",
                "return fig",
            ),
            "partial_derivatives": "!echo shell escapes are fine\nfiles = !ls\n" + REFERENCE,
            "leaf_answers": REFERENCE + "\n%who\nis_leaf\n",
        },
    ),
    Submission(
        "solution_one_element_tensors",
        ("honest_variants",),
        answers={
            "derivative_at": cell("""
                def derivative_at(f, x0):
                    x = torch.tensor([x0], requires_grad=True)
                    f(x).sum().backward()
                    return x.grad  # shape (1,), not 0-dim
            """),
            "partial_derivatives": cell("""
                def partial_derivatives(f, u0, v0):
                    uv = torch.tensor([[u0], [v0]], requires_grad=True)
                    f(uv[0], uv[1]).sum().backward()
                    return uv.grad[0], uv.grad[1]  # views of one tensor, shape (1,)
            """),
        },
    ),
    Submission(
        "solution_state_reset_between_calls",
        ("module_state",),
        answers={
            "derivative_at": cell("""
                x = torch.zeros((), requires_grad=True)  # kept between calls, reset each time


                def derivative_at(f, x0):
                    with torch.no_grad():
                        x.fill_(x0)
                    x.grad = None
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
                    if u.grad is not None:
                        u.grad.zero_()
                        v.grad.zero_()
                    f(u, v).backward()
                    return u.grad.clone(), v.grad.clone()
            """),
        },
    ),
    Submission(
        "solution_ctx_attributes_and_needs_input_grad",
        ("honest_variants",),
        answers={
            "square_function": cell("""
                class Square(torch.autograd.Function):
                    @staticmethod
                    def forward(ctx, i):
                        ctx.i = i.detach()
                        return i * i

                    @staticmethod
                    def backward(ctx, grad_output):
                        return 2.0 * ctx.i * grad_output
            """),
            "linear_function": cell("""
                class LinearFunction(torch.autograd.Function):
                    @staticmethod
                    def forward(ctx, input, weight, bias=None):
                        ctx.save_for_backward(input, weight)
                        ctx.has_bias = bias is not None
                        if bias is None:
                            return input.mm(weight.t())
                        return torch.addmm(bias, input, weight.t())

                    @staticmethod
                    def backward(ctx, grad_output):
                        input, weight = ctx.saved_tensors
                        grad_input = grad_weight = grad_bias = None
                        if ctx.needs_input_grad[0]:
                            grad_input = grad_output.mm(weight)
                        if ctx.needs_input_grad[1]:
                            grad_weight = grad_output.t().mm(input)
                        if ctx.has_bias and ctx.needs_input_grad[2]:
                            grad_bias = grad_output.sum(0)
                        return grad_input, grad_weight, grad_bias
            """),
        },
    ),
    Submission(
        "solution_leaf_answers_by_running_snippet",
        ("honest_variants",),
        answers={
            "leaf_answers": cell("""
            import warnings

            a = torch.tensor([1.0, 2.0], requires_grad=True)
            b = torch.tensor([3.0, 4.0])
            c = a * b
            d = c.detach()
            e = (c * 2).sum()
            e.backward()
            tensors = {"a": a, "b": b, "c": c, "d": d, "e": e}
            is_leaf = {name: t.is_leaf for name, t in tensors.items()}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                has_grad = {name: t.grad is not None for name, t in tensors.items()}
        """)
        },
    ),
]
