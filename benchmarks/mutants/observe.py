"""What an answer did, as comparable plain values, and the first difference between two runs.

Observations are `(label, description)` pairs. A description keeps what the contract cares
about: tensor values (as float64, so float32 and float64 answers compare alike), shapes
(0-dim and one-element tensors alike), the flags a battery asks for, the lines, labels and
legend of a figure, and the exception type of a call that raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

RTOL, ATOL = 1e-4, 1e-5  # the grader's tolerances (autograders/compare.py)


@dataclass(frozen=True)
class Raised:
    kind: str


class Recorder:
    """Collects observations; `call` runs a step and records its value or its exception."""

    def __init__(self) -> None:
        self.observations: list[tuple[str, object]] = []

    def call(self, label: str, thunk, flags: bool = False) -> object:
        try:
            value = thunk()
        except Exception as error:  # a mutant may raise anything: that is an observation
            value = Raised(type(error).__name__)
        self.value(label, value, flags)
        return value

    def value(self, label: str, value: object, flags: bool = False) -> None:
        self.observations.append((label, describe(value, flags)))


def describe(value: object, flags: bool = False) -> object:
    if isinstance(value, torch.Tensor):
        extra = (value.requires_grad, value.grad is not None) if flags else ()
        return ("tensor", value.detach().to(torch.float64).clone(), *extra)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [describe(item, flags) for item in value])
    if isinstance(value, dict):
        return ("dict", sorted((repr(k), describe(v, flags)) for k, v in value.items()))
    if value is None or isinstance(value, (bool, int, float, str, Raised)):
        return value
    if type(value).__name__ == "Figure":
        return ("figure", [_axes(ax, value.legends) for ax in value.axes])
    return ("object", type(value).__name__)


def _axes(ax, figure_legends: list) -> tuple:
    """Lines, x label and legend texts; a figure legend counts as the Axes' legend when the
    Axes has none (the contract asks for "a legend")."""
    legends = [ax.get_legend()] if ax.get_legend() is not None else figure_legends
    texts = [t.get_text() for legend in legends for t in legend.get_texts()] or None
    lines = [
        (
            line.get_label(),
            torch.as_tensor(line.get_xdata(), dtype=torch.float64),
            torch.as_tensor(line.get_ydata(), dtype=torch.float64),
        )
        for line in ax.get_lines()
    ]
    return ("axes", lines, ax.get_xlabel(), texts)


def first_difference(want: list, got: list) -> str | None:
    """None when got matches want everywhere, else where and how they first differ."""
    if len(want) != len(got):
        return f"{len(got)} observations instead of {len(want)}"
    for (label, a), (_, b) in zip(want, got, strict=True):
        why = _differ(a, b)
        if why:
            return f"{label}: {why}"
    return None


def _differ(a: object, b: object) -> str | None:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return _tensors_differ(a, b)
    if type(a) is not type(b):
        return f"{_short(b)} instead of {_short(a)}"
    if isinstance(a, (tuple, list)):
        if len(a) != len(b):
            return f"{len(b)} items instead of {len(a)}"
        return next((why for x, y in zip(a, b, strict=True) if (why := _differ(x, y))), None)
    if a != b and not (isinstance(a, float) and abs(a - b) <= ATOL + RTOL * abs(a)):
        return f"{_short(b)} instead of {_short(a)}"
    return None


def _tensors_differ(a: object, b: object) -> str | None:
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        return f"{_short(b)} instead of {_short(a)}"
    if not (a.numel() == b.numel() == 1) and a.shape != b.shape:
        return f"shape {tuple(b.shape)} instead of {tuple(a.shape)}"
    a, b = a.reshape(-1), b.reshape(-1)
    if not torch.allclose(b, a, rtol=RTOL, atol=ATOL, equal_nan=True):
        return "other values"
    return None


def _short(value: object) -> str:
    """A few words for a description (never the values of a tensor)."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, Raised):
        return f"raising {value.kind}"
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        kind = value[0]
        if kind == "tensor":
            return _short(value[1])
        if kind in ("tuple", "list", "dict", "figure"):
            return f"a {kind} of {len(value[1])} items"
        return f"an object of type {value[1]}" if kind == "object" else kind
    return repr(value)[:60]
