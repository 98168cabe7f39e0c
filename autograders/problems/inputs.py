"""Hidden sample inputs: smooth functions and the ranges points are drawn from.

None of these appears in the students' notebooks; each run draws a different mix per student
(seeded, so a regrade reproduces it). All functions are smooth on the ranges used, so the
points stay away from kinks where float32 and float64 answers could disagree.
"""

from __future__ import annotations

import random

# Functions whose derivative still depends on x (a second derivative exists in the graph).
CURVED = (
    "x ** 3 - 2 * x",
    "torch.sin(x) * x",
    "torch.exp(-0.5 * x ** 2)",
    "torch.tanh(x) + 0.5 * x ** 2",
    "torch.log1p(x ** 2)",
    "torch.cos(3 * x)",
    "x * torch.sigmoid(x)",
    "torch.sqrt(x ** 2 + 1)",
)
# A straight line: its derivative is a constant that no longer requires grad.
LINEAR = ("3 * x - 1",)
ONE_VARIABLE = CURVED + LINEAR

TWO_VARIABLES = (
    "torch.sin(u) * v ** 2",
    "u * torch.exp(0.5 * v)",
    "(u - 2 * v) ** 2 + u",
    "u ** 3 * v - v ** 2",
    "u / (1 + v ** 2)",
    "torch.log1p(u ** 2 + 3 * v ** 2)",
    "torch.cos(u * v) + 2 * v",
)

LOW, HIGH = -3.0, 3.0


def point(rng: random.Random) -> float:
    return round(rng.uniform(LOW, HIGH), 3)


def grid(rng: random.Random) -> tuple[float, float, int]:
    """start, end and steps for a linspace."""
    return round(rng.uniform(-3.0, -0.5), 2), round(rng.uniform(0.5, 3.0), 2), rng.randint(2, 41)


def pick(rng: random.Random, pool: tuple[str, ...], count: int) -> list[str]:
    return rng.sample(pool, count)
