"""The inputs each question's answer is run on, to tell equivalent mutants from the rest.

Wider than the grader's hidden tests on purpose: functions and points of its own, float32 and
float64, shapes from 0-dim to 2-D, upstream gradients that are not ones (negative too),
inputs that do not require grad, repeated, interleaved and nested calls, optional arguments
left out. One battery runs in one namespace, so state kept between calls shows.
"""

from __future__ import annotations

import random

import matplotlib.pyplot as plt
import torch

from benchmarks.mutants.observe import Recorder

ONE_VARIABLE = (
    lambda x: x**3 - 2 * x,
    lambda x: torch.sin(x) * x,
    lambda x: torch.exp(-0.5 * x**2),
    lambda x: torch.tanh(x) + 0.5 * x**2,
    lambda x: torch.log1p(x**2),
    lambda x: torch.cos(3 * x),
    lambda x: x**2,
    lambda x: 3 * x + 1,
)
TWO_VARIABLES = (
    lambda u, v: u * v + u**2,
    lambda u, v: torch.sin(u) * v**2,
    lambda u, v: (u - 2 * v) ** 2 + u,
    lambda u, v: u**3 * v - v**2,
    lambda u, v: u / (1 + v**2),
    lambda u, v: torch.cos(u * v) + 2 * v,
)
DTYPES = (torch.float32, torch.float64)


def rand(rng: random.Random, shape: tuple, dtype=torch.float32, low=-2.0, high=2.0):
    count = 1
    for size in shape:
        count *= size
    values = [round(rng.uniform(low, high), 3) for _ in range(count)]
    return torch.tensor(values, dtype=dtype).reshape(shape)


def leaf(rng: random.Random, shape: tuple, dtype=torch.float32) -> torch.Tensor:
    return rand(rng, shape, dtype).requires_grad_(True)


def upstream(rng: random.Random, shape: tuple, dtype=torch.float32) -> torch.Tensor:
    return rand(rng, shape, dtype, -3.0, 3.0)


def derivative_at(ns: dict, rng: random.Random, rec: Recorder) -> None:
    # whole numbers as floats: the contract says x0 is a Python float
    points = [round(rng.uniform(-2, 2), 3) for _ in range(4)] + [float(rng.randint(-3, 3)), 0.0]
    cases = [(rng.randrange(len(ONE_VARIABLE)), x0) for x0 in points]
    for turn in range(2):  # again with another function at the same points
        for k, x0 in cases:
            k = (k + turn) % len(ONE_VARIABLE)
            for call in range(2):
                label = f"derivative_at(f{k}, {x0}) call {call}"
                rec.call(label, lambda k=k, x0=x0: ns["derivative_at"](ONE_VARIABLE[k], x0))

    def nested(x):
        return ns["derivative_at"](ONE_VARIABLE[0], 1.5) * x

    rec.call("derivative_at(nested, 0.5)", lambda: ns["derivative_at"](nested, 0.5))


def _grids(rng: random.Random) -> list[tuple[int, float, float, int]]:
    steps = [1, 2, rng.randint(3, 12), rng.randint(13, 41)]
    return [
        (
            rng.randrange(len(ONE_VARIABLE)),
            round(rng.uniform(-3, -0.5), 2),
            round(rng.uniform(0.5, 3), 2),
            n,
        )
        for n in steps
    ]


def derivative_on_grid(ns: dict, rng: random.Random, rec: Recorder) -> None:
    for k, start, end, steps in _grids(rng):
        for turn in range(3):  # the same call twice, then another function on the same grid
            f = ONE_VARIABLE[(k + turn // 2) % len(ONE_VARIABLE)]
            label = f"derivative_on_grid(f{k}, {start}, {end}, {steps}) turn {turn}"
            args = (f, start, end, steps)
            rec.call(label, lambda args=args: ns["derivative_on_grid"](*args), flags=True)


def plot_derivative(ns: dict, rng: random.Random, rec: Recorder) -> None:
    for k, start, end, steps in _grids(rng):
        for turn in range(3):
            f = ONE_VARIABLE[(k + turn // 2) % len(ONE_VARIABLE)]
            label = f"plot_derivative(f{k}, {start}, {end}, {steps}) turn {turn}"
            rec.call(label, lambda f=f, a=(start, end, steps): ns["plot_derivative"](f, *a))
            plt.close("all")  # as Jupyter's inline backend does after each cell


def partial_derivatives(ns: dict, rng: random.Random, rec: Recorder) -> None:
    points = [(round(rng.uniform(-2, 2), 3), round(rng.uniform(-2, 2), 3)) for _ in range(4)]
    cases = [(rng.randrange(len(TWO_VARIABLES)), p) for p in points + [(1.0, -2.0)]]
    for turn in range(2):
        for k, (u0, v0) in cases:
            k = (k + turn) % len(TWO_VARIABLES)
            for call in range(2):
                label = f"partial_derivatives(g{k}, {u0}, {v0}) call {call}"
                f = TWO_VARIABLES[k]
                rec.call(label, lambda f=f, u0=u0, v0=v0: ns["partial_derivatives"](f, u0, v0))


def partials_on_grid(ns: dict, rng: random.Random, rec: Recorder) -> None:
    shapes = [(rng.randint(2, 9),), (rng.randint(2, 4), rng.randint(2, 4)), (), (1,)]
    for n, shape in enumerate(shapes):
        for dtype in DTYPES:
            u, v = rand(rng, shape, dtype), rand(rng, shape, dtype)
            u.requires_grad_(n % 2 == 1)  # the caller's tensors may require grad themselves
            v.requires_grad_(n >= 2)
            k = rng.randrange(len(TWO_VARIABLES))
            for call in range(2):
                label = f"partials_on_grid(g{k}, u{shape} {dtype}) call {call}"
                rec.call(
                    label, lambda k=k, u=u, v=v: ns["partials_on_grid"](TWO_VARIABLES[k], u, v)
                )
                rec.value(f"{label}: the caller's u, v after", (u, v), flags=True)
