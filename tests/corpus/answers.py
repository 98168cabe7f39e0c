"""Honest answers written differently from the reference, shared by the corpus files.

Each constant is the complete source of one answer cell. They import what they use, so they
also work when a submission has moved or broken the notebook's import cell.
"""

from __future__ import annotations

from textwrap import dedent


def cell(source: str) -> str:
    """An answer cell's source from an indented triple-quoted string."""
    return dedent(source).strip("\n") + "\n"


# plot_derivative without calling derivative_on_grid, for submissions that break the latter.
PLOT_OWN = cell("""
    import matplotlib.pyplot as plt
    import torch


    def plot_derivative(f, start, end, steps):
        x = torch.linspace(start, end, steps, requires_grad=True)
        y = f(x)
        y.sum().backward()
        fig, ax = plt.subplots()
        ax.plot(x.detach().numpy(), y.detach().numpy(), label="function")
        ax.plot(x.detach().numpy(), x.grad.numpy(), label="derivative")
        ax.set_xlabel("x")
        ax.legend()
        return fig
""")

DERIVATIVE_AT_BACKWARD = cell("""
    import torch


    def derivative_at(f, x0):
        x = torch.tensor(x0, dtype=torch.float32, requires_grad=True)
        y = f(x)
        y.backward()
        return x.grad
""")

ON_GRID_BACKWARD = cell("""
    import torch


    def derivative_on_grid(f, start, end, steps):
        x = torch.linspace(start, end, steps, dtype=torch.float32, requires_grad=True)
        y = f(x)
        y.sum().backward()
        return x.detach(), y.detach(), x.grad.detach()
""")

PARTIALS_BACKWARD = cell("""
    import torch


    def partial_derivatives(f, u0, v0):
        u = torch.tensor(float(u0), requires_grad=True)
        v = torch.tensor(float(v0), requires_grad=True)
        f(u, v).backward()
        return u.grad, v.grad
""")

PARTIALS_ON_GRID_BACKWARD = cell("""
    import torch


    def partials_on_grid(f, u, v):
        u = u.detach().clone().requires_grad_(True)
        v = v.detach().clone().requires_grad_(True)
        f(u, v).sum().backward()
        return u.grad, v.grad
""")

SQUARE = cell("""
    import torch


    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            ctx.save_for_backward(i)
            return i ** 2

        @staticmethod
        def backward(ctx, grad_output):
            (i,) = ctx.saved_tensors
            return grad_output * 2 * i
""")

LINEAR = cell("""
    import torch


    class LinearFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input @ weight.T
            if bias is not None:
                output = output + bias
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_bias = grad_output.sum(0) if bias is not None else None
            return grad_output @ weight, grad_output.T @ input, grad_bias
""")

LEAF = cell("""
    is_leaf = {"a": True, "b": True, "c": False, "d": True, "e": False}
    has_grad = {"a": True, "b": False, "c": False, "d": False, "e": False}
""")


def square_with_backward(body: str) -> str:
    """A Square whose forward is right and whose backward returns `body`."""
    return cell(f"""
        import torch


        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                ctx.save_for_backward(i)
                return i ** 2

            @staticmethod
            def backward(ctx, grad_output):
                (i,) = ctx.saved_tensors
                return {body}
    """)


def linear_with(forward: str, backward: str) -> str:
    """A LinearFunction from the two method bodies (indented by 8 spaces)."""
    return (
        "import torch\n\n\nclass LinearFunction(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, input, weight, bias=None):\n"
        f"{forward}\n\n"
        "    @staticmethod\n    def backward(ctx, grad_output):\n"
        f"{backward}\n"
    )


def plot_with(*lines: str) -> str:
    """A plot_derivative that draws with the given statements (x, y, dydx are numpy arrays)."""
    body = "\n".join(f"    {line}" for line in lines)
    return (
        "import matplotlib.pyplot as plt\nimport torch\n\n\n"
        "def plot_derivative(f, start, end, steps):\n"
        "    x = torch.linspace(start, end, steps, requires_grad=True)\n"
        "    y = f(x)\n"
        "    y.sum().backward()\n"
        "    x, y, dydx = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()\n"
        f"{body}\n"
    )
