"""Reference values: torch autograd in float64, in the grading process only.

These are trusted (the project's own tests check them against `torch.autograd.gradcheck` and
central differences) and never reach the sandbox: a child gets inputs, never expected values.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import torch

DTYPE = torch.float64


def function(expression: str, params: Sequence[str]) -> Callable[..., torch.Tensor]:
    """The grader's own expression (from the problem registry) as a Python function."""
    source = f"lambda {', '.join(params)}: {expression}"
    return eval(source, {"torch": torch, "math": math, "__builtins__": {}})  # noqa: S307


def derivative(expression: str, points: Sequence[float]) -> tuple[torch.Tensor, torch.Tensor]:
    """f(x) and f'(x) at each point, for an elementwise f of one variable."""
    x = torch.tensor(list(points), dtype=DTYPE, requires_grad=True)
    y = function(expression, ["x"])(x)
    (dydx,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), dydx


def partials(
    expression: str, u: Sequence[float], v: Sequence[float]
) -> tuple[torch.Tensor, torch.Tensor]:
    """(df/du, df/dv) at each pair of points, for an elementwise f(u, v)."""
    u_ = torch.tensor(list(u), dtype=DTYPE, requires_grad=True)
    v_ = torch.tensor(list(v), dtype=DTYPE, requires_grad=True)
    f = function(expression, ["u", "v"])(u_, v_)
    dfdu, dfdv = torch.autograd.grad(f.sum(), (u_, v_))
    return dfdu, dfdv


def vjp(
    function: Callable[..., torch.Tensor],
    inputs: Sequence[torch.Tensor | None],
    upstream: torch.Tensor,
    needs_grad: Sequence[bool] | None = None,
) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
    """function(*inputs) in float64, and the gradient that reaches each input when `upstream`
    flows back (None for an absent input or one that does not require grad)."""
    needs = list(needs_grad) if needs_grad is not None else [True] * len(inputs)
    leaves = [
        t.to(DTYPE).detach().requires_grad_(need) if t is not None else None
        for t, need in zip(inputs, needs, strict=True)
    ]
    out = function(*leaves)
    wanted = [t for t in leaves if t is not None and t.requires_grad]
    # (out * upstream).sum() rather than grad_outputs=: the same vector-Jacobian product,
    # without the lazy import of torch's symbolic-shape machinery (sympy) that costs 0.3 s.
    grads = iter(torch.autograd.grad((out * upstream.to(DTYPE)).sum(), wanted) if wanted else ())
    return out.detach(), [
        next(grads) if t is not None and t.requires_grad else None for t in leaves
    ]


def square(
    i: torch.Tensor, upstream: torch.Tensor, nested: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """i ** 2 (squared `nested` times) and the gradient that reaches i for `upstream`."""

    def repeated(x: torch.Tensor) -> torch.Tensor:
        for _ in range(nested):
            x = x**2
        return x

    out, (grad,) = vjp(repeated, [i], upstream)
    assert grad is not None
    return out, grad


def linear_output(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    return x @ weight.T + (bias if bias is not None else 0)


def linear(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    upstream: torch.Tensor,
    needs_grad: Sequence[bool] = (True, True, True),
) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
    """input @ weight.T (+ bias), and the gradients of each input for `upstream`."""
    return vjp(linear_output, [x, weight, bias], upstream, needs_grad)


def leaf_facts() -> tuple[dict[str, bool], dict[str, bool]]:
    """`is_leaf` and `has_grad` for the notebook's snippet, by running the snippet."""
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0])
    c = a * b
    d = c.detach()
    e = (c * 2).sum()
    e.backward()
    tensors = {"a": a, "b": b, "c": c, "d": d, "e": e}
    with warnings.catch_warnings():  # reading .grad of a non-leaf warns; the answer is None
        warnings.simplefilter("ignore")
        has_grad = {name: t.grad is not None for name, t in tensors.items()}
    return {name: t.is_leaf for name, t in tensors.items()}, has_grad
