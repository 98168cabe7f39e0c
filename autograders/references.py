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


def square(i: torch.Tensor, upstream: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """i ** 2 and the gradient that reaches i when `upstream` flows back into it."""
    i = i.to(DTYPE).detach().requires_grad_(True)
    out = i**2
    # (out * upstream).sum() rather than grad_outputs=: the same vector-Jacobian product,
    # without the lazy import of torch's symbolic-shape machinery (sympy) that costs 0.3 s.
    (grad,) = torch.autograd.grad((out * upstream.to(DTYPE)).sum(), i)
    return out.detach(), grad


def linear(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, upstream: torch.Tensor
) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
    """input @ weight.T (+ bias), and the gradients of each input for `upstream`."""
    leaves = [
        t.to(DTYPE).detach().requires_grad_(True) if t is not None else None
        for t in (x, weight, bias)
    ]
    x_, w_, b_ = leaves
    out = x_ @ w_.T + (b_ if b_ is not None else 0)
    present = [t for t in leaves if t is not None]
    grads = iter(torch.autograd.grad((out * upstream.to(DTYPE)).sum(), present))
    return out.detach(), [next(grads) if t is not None else None for t in leaves]


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
