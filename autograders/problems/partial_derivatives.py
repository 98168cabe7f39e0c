"""partial_derivatives.ipynb: `partial_derivatives`, `partials_on_grid`."""

from __future__ import annotations

import random

import torch

from autograders import compare, references
from autograders.compare import Mismatch
from autograders.problems import inputs
from autograders.problems.base import (
    Check,
    Problem,
    Trial,
    call,
    function,
    random_tensor,
    ref,
    shown,
    tensor,
)

NOTEBOOK = "partial_derivatives"
SWAPPED = "df/du and df/dv are swapped: return `(dfdu, dfdv)` in that order."
ACCUMULATED = (
    "The answer changes when the function is called again: gradients accumulated in "
    "`.grad` across calls. Make fresh tensors with `requires_grad=True` in each call."
)


def partial_derivatives_trial(rng: random.Random) -> Trial:
    cases = [
        (expr, inputs.point(rng), inputs.point(rng))
        for expr in inputs.pick(rng, inputs.TWO_VARIABLES, 3)
    ]
    (f1, u1, v1), (f2, _, _), (_, u3, v3) = cases
    # twice each: accumulated .grad is caught; then another function at a point already seen
    # and a function already seen at another point: caches keyed on the wrong thing go stale
    calls = [case for case in cases for _ in range(2)] + [(f2, u1, v1), (f1, u3, v3)]

    def judge(answers: list) -> None:
        so_far_u = so_far_v = torch.zeros(1, dtype=torch.float64)
        for n, ((expr, u0, v0), answer) in enumerate(zip(calls, answers, strict=True)):
            want_u, want_v = references.partials(expr, [u0], [v0])
            so_far_u, so_far_v = so_far_u + want_u, so_far_v + want_v
            text = f"partial_derivatives(f, {u0}, {v0}) with f(u, v) = {shown(expr)}"
            dfdu, dfdv = compare.items(compare.returned(answer, text), 2, text)
            for name, got, want, other, so_far in (
                ("dfdu", dfdu, want_u, want_v, so_far_u),
                ("dfdv", dfdv, want_v, want_u, so_far_v),
            ):
                what = f"{name} from {text}"
                value = compare.one_element(compare.tensor(got, what), what)
                mistakes = [(SWAPPED, other)] + [(ACCUMULATED, so_far)] * (n > 0)
                compare.close(value, want, what, mistakes)

    return Trial(
        [call("partial_derivatives", function(e, "u", "v"), u0, v0) for e, u0, v0 in calls], judge
    )


def _grid_case(
    rng: random.Random, dtype: torch.dtype = torch.float32
) -> tuple[str, torch.Tensor, torch.Tensor]:
    size = rng.randint(4, 12)
    return (
        inputs.pick(rng, inputs.TWO_VARIABLES, 1)[0],
        random_tensor(rng, (size,)).to(dtype),
        random_tensor(rng, (size,)).to(dtype),
    )


def _grid_call(expr: str, u: torch.Tensor, v: torch.Tensor, grad: bool = False) -> dict:
    """A call with fresh tensors; `grad`: the caller's u and v already require grad."""
    args = (tensor(u, requires_grad=grad), tensor(v, requires_grad=grad))
    return call("partials_on_grid", function(expr, "u", "v"), *args)


def on_grid_values_trial(rng: random.Random) -> Trial:
    first, second = _grid_case(rng), _grid_case(rng, torch.float64)
    other = next(e for e in inputs.TWO_VARIABLES if e not in (first[0], second[0]))
    # the first grid again with another function, then with its own: state kept between
    # calls (a cache, gradients left in a global) goes wrong
    cases = [first, second, (other, *first[1:]), first, _grid_case(rng, torch.float64)]
    grads = [False, False, False, False, True]  # the last: u and v that require grad already

    def judge(answers: list) -> None:
        for (expr, u, v), answer in zip(cases, answers, strict=True):
            _values(expr, u, v, answer)

    return Trial([_grid_call(*case, grad) for case, grad in zip(cases, grads, strict=True)], judge)


def _values(expr: str, u: torch.Tensor, v: torch.Tensor, answer: dict) -> None:
    text = f"partials_on_grid(f, u, v) with f(u, v) = {shown(expr)} on {u.numel()} points"
    want_u, want_v = references.partials(expr, u.tolist(), v.tolist())
    dfdu, dfdv = compare.items(compare.returned(answer, text), 2, text)
    for name, got, want, other in (
        ("dfdu", dfdu, want_u, want_v),
        ("dfdv", dfdv, want_v, want_u),
    ):
        received = compare.tensor(got, f"{name} from {text}")
        compare.shape_is(received, u.shape, f"{name} from {text}")
        compare.close(received.values, want, f"{name} from {text}", [(SWAPPED, other)])


def on_grid_inputs_trial(rng: random.Random) -> Trial:
    # float32 and float64 inputs: `u.to(torch.float64)` is a copy of the one, not of the other
    # and u, v that already require grad: they must keep that, and get no .grad
    cases = [_grid_case(rng, dtype) for dtype in (torch.float32, torch.float64, torch.float32)]
    grads = [False, False, True]
    probes = []
    for n, ((expr, u, v), grad) in enumerate(zip(cases, grads, strict=True)):
        f = function(expr, "u", "v")
        named = [
            tensor(t, requires_grad=grad, name=f"{t_name}{n}") for t, t_name in ((u, "u"), (v, "v"))
        ]
        first = call("partials_on_grid", f, *named)
        # the same objects again: what the first call did to them shows in the second's values
        probes += [first, call("partials_on_grid", f, ref(f"u{n}"), ref(f"v{n}"))]

    def judge(answers: list) -> None:
        pairs = zip(answers[::2], answers[1::2], strict=True)
        for (_, u, v), grad, (first, again) in zip(cases, grads, pairs, strict=True):
            kind = str(u.dtype).removeprefix("torch.") + (
                " u, v requiring grad" if grad else " u, v"
            )
            text = f"partials_on_grid(f, u, v) with {kind}"
            compare.returned(first, text)
            for name, sent, after in zip("uv", (u, v), first["args_after"][1:], strict=True):
                received = compare.tensor(after, f"the caller's {name}")
                _unchanged(name, sent, grad, received, after, text)
            _same_again(first, again, text)

    return Trial(probes, judge)


def _same_again(first: dict, again: dict, text: str) -> None:
    """The same call on the same objects must give the same answer: a first call that
    changed the caller's u or v (or left gradients in them) shows in the second."""
    try:
        before = [compare.tensor(x, text).values for x in compare.items(first["value"], 2, text)]
    except Mismatch:
        return  # an answer of the wrong form costs the values check, not this one
    after = compare.items(compare.returned(again, f"{text}, called again"), 2, text)
    for name, old, new in zip(("dfdu", "dfdv"), before, after, strict=True):
        what = f"{name} from {text}, called again with the same u and v"
        compare.close(compare.tensor(new, what).values, old, what)


def _unchanged(
    name: str,
    sent: torch.Tensor,
    sent_grad: bool,
    received: compare.Received,
    described: dict,
    text: str,
) -> None:
    if received.requires_grad != sent_grad or described.get("has_grad"):
        now = (
            "has a .grad"
            if described.get("has_grad")
            else ("requires grad" if received.requires_grad else "no longer requires grad")
        )
        raise Mismatch(
            f"{text} changed the caller's {name}: it now {now}.",
            "Work on a copy: `u = u.detach().clone().requires_grad_(True)`.",
        )
    if not torch.equal(received.values, sent.to(torch.float64)):
        raise Mismatch(
            f"{text} changed the values of the caller's {name}.",
            "Do not modify the inputs in place.",
        )


PROBLEMS = (
    Problem(
        "partial_derivatives",
        NOTEBOOK,
        (
            Check(
                "partial_derivatives_test",
                2,
                "partial_derivatives: both partials at hidden "
                "functions and points, each called twice",
                partial_derivatives_trial,
            ),
        ),
    ),
    Problem(
        "partials_on_grid",
        NOTEBOOK,
        (
            Check(
                "partials_on_grid_test_values",
                2,
                "partials_on_grid: partials on hidden grids",
                on_grid_values_trial,
            ),
            Check(
                "partials_on_grid_test_inputs",
                1,
                "partials_on_grid: leaves u and v unchanged",
                on_grid_inputs_trial,
            ),
        ),
    ),
)
