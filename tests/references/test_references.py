"""The references are trusted, so they are tested: against gradcheck, central differences and
a few derivatives worked out by hand."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograders import references
from autograders.problems import inputs

points = st.floats(min_value=inputs.LOW, max_value=inputs.HIGH, allow_nan=False)


def central_difference(f, x: float, h: float = 1e-6) -> float:
    return (
        f(torch.tensor(x + h, dtype=torch.float64)) - f(torch.tensor(x - h, dtype=torch.float64))
    ).item() / (2 * h)


@pytest.mark.parametrize("expression", inputs.ONE_VARIABLE)
def test_one_variable_functions_pass_gradcheck(expression: str) -> None:
    f = references.function(expression, ["x"])
    x = torch.linspace(inputs.LOW, inputs.HIGH, 9, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(f, (x,))


@pytest.mark.parametrize("expression", inputs.TWO_VARIABLES)
def test_two_variable_functions_pass_gradcheck(expression: str) -> None:
    f = references.function(expression, ["u", "v"])
    u = torch.linspace(inputs.LOW, inputs.HIGH, 7, dtype=torch.float64, requires_grad=True)
    v = torch.linspace(inputs.HIGH, inputs.LOW, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(f, (u, v))


@settings(max_examples=40, deadline=None)
@given(expression=st.sampled_from(inputs.ONE_VARIABLE), x=points)
def test_derivative_matches_central_differences(expression: str, x: float) -> None:
    _, dydx = references.derivative(expression, [x])
    expected = central_difference(references.function(expression, ["x"]), x)
    assert dydx.item() == pytest.approx(expected, rel=1e-5, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(expression=st.sampled_from(inputs.TWO_VARIABLES), u=points, v=points)
def test_partials_match_central_differences(expression: str, u: float, v: float) -> None:
    f = references.function(expression, ["u", "v"])
    dfdu, dfdv = references.partials(expression, [u], [v])
    vt, ut = torch.tensor(v, dtype=torch.float64), torch.tensor(u, dtype=torch.float64)
    assert dfdu.item() == pytest.approx(
        central_difference(lambda a: f(a, vt), u), rel=1e-5, abs=1e-6
    )
    assert dfdv.item() == pytest.approx(
        central_difference(lambda b: f(ut, b), v), rel=1e-5, abs=1e-6
    )


def test_the_notebook_example_by_hand() -> None:
    dfdu, dfdv = references.partials("u * v + u ** 2", [1.5], [-2.0])
    assert (dfdu.item(), dfdv.item()) == (pytest.approx(-2.0 + 3.0), pytest.approx(1.5))
    _, dydx = references.derivative("torch.sin(x) * x", [0.3])
    assert dydx.item() == pytest.approx(math.sin(0.3) + 0.3 * math.cos(0.3))


def test_square_uses_the_upstream_gradient() -> None:
    i = torch.tensor([1.0, -2.0, 3.0])
    upstream = torch.tensor([0.5, 2.0, -1.0])
    out, grad = references.square(i, upstream)
    assert torch.equal(out, i.double() ** 2)
    assert torch.equal(grad, 2 * i.double() * upstream.double())


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_the_formulas_and_gradcheck(with_bias: bool) -> None:
    torch.manual_seed(0)
    x, w, b = torch.randn(3, 4), torch.randn(5, 4), torch.randn(5) if with_bias else None
    g = torch.randn(3, 5)
    out, (gx, gw, gb) = references.linear(x, w, b, g)
    expected = x.double() @ w.double().T + (b.double() if with_bias else 0)
    assert torch.allclose(out, expected)
    assert torch.allclose(gx, g.double() @ w.double())
    assert torch.allclose(gw, g.double().T @ x.double())
    assert (gb is None) == (not with_bias)
    if with_bias:
        assert torch.allclose(gb, g.double().sum(0))
    assert torch.autograd.gradcheck(
        torch.nn.functional.linear,
        (
            x.double().requires_grad_(),
            w.double().requires_grad_(),
            b.double().requires_grad_() if with_bias else None,
        ),
    )


def test_leaf_facts_are_those_of_the_snippet() -> None:
    is_leaf, has_grad = references.leaf_facts()
    assert is_leaf == {"a": True, "b": True, "c": False, "d": True, "e": False}
    assert has_grad == {"a": True, "b": False, "c": False, "d": False, "e": False}
