"""Compare what a student's code returned with a reference, and explain like a teacher.

The checks run in the order of `torch.testing.assert_close`: the answer exists, it has the
right type, the right shape, finite values, then values close within tolerances that suit
float32 answers. The first failure raises `Mismatch`, whose message a student can read. A
message shows the student's own value and the input, never the hidden expected value.

Received values are the plain-data descriptions made in the sandbox (`sandbox/child/encode.py`);
nothing here touches a student object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from autograders.hints import hint_for_error

RTOL = 1e-4  # float32 answers carry about 1e-7 relative error per operation
ATOL = 1e-5


class Mismatch(Exception):
    """A student's answer is wrong; `message` says how, `hint` names the likely mistake."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Received:
    """A tensor-like answer, read back from its description."""

    values: torch.Tensor  # float64, in the answer's shape
    dtype: str
    requires_grad: bool
    is_leaf: bool


def returned(answer: object, call: str) -> dict:
    """The description of what `call` returned; Mismatch if it raised or gave nothing."""
    if not isinstance(answer, dict):
        raise Mismatch(f"`{call}` gave no answer.")
    if not answer.get("ok"):
        error = answer["error"] if isinstance(answer.get("error"), dict) else {}
        kind, text = str(error.get("type", "Error")), str(error.get("message", ""))
        raise Mismatch(f"`{call}` raised {kind}: {text[:300]}", hint_for_error(kind, text))
    value = answer.get("value")
    return value if isinstance(value, dict) else {"type": "unreadable"}


def describe(value: object) -> str:
    """A few words for what a description stands for, e.g. 'a tuple of 2 items'."""
    if not isinstance(value, dict):
        return "nothing readable"
    kind = value.get("type")
    if kind == "tensor":
        return f"a {value.get('dtype')} tensor of shape {tuple(value.get('shape') or ())}"
    if kind in ("tuple", "list"):
        return f"a {kind} of {value.get('length')} items"
    if kind == "number":
        return f"the number {value.get('value')!r}"
    if kind == "object":
        return f"an object of type {value.get('class')}"
    if kind == "ndarray":
        return f"a numpy array of shape {tuple(value.get('shape') or ())}"
    return {
        "none": "None",
        "bool": "a bool",
        "str": "a string",
        "dict": "a dict",
        "figure": "a matplotlib Figure",
        "missing": "nothing (the name is not defined)",
    }.get(str(kind), "something unreadable")


def items(value: dict, count: int, what: str) -> list[dict]:
    """The items of a returned tuple or list of `count` items."""
    if value.get("type") not in ("tuple", "list") or value.get("length") != count:
        raise Mismatch(f"{what} should return a tuple of {count} tensors, not {describe(value)}.")
    return list(value["items"])


def tensor(value: dict, what: str) -> Received:
    """A torch tensor answer, with its values as float64."""
    if not isinstance(value, dict) or value.get("type") != "tensor":
        hint = (
            "Convert with `torch.tensor(...)` or keep the result as a tensor."
            if isinstance(value, dict) and value.get("type") in ("number", "ndarray")
            else ""
        )
        raise Mismatch(f"{what} should be a torch tensor, not {describe(value)}.", hint)
    shape, data = value.get("shape"), value.get("data")
    if not isinstance(shape, list) or not _is_shape(shape) or not isinstance(data, list):
        raise Mismatch(f"{what} could not be read (complex, or too large).")
    if len(data) != math.prod(shape):
        raise Mismatch(f"{what} could not be read (complex, or too large).")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in data):
        raise Mismatch(f"{what} could not be read.")
    values = torch.tensor(data, dtype=torch.float64).reshape(shape)
    return Received(
        values,
        str(value.get("dtype")),
        bool(value.get("requires_grad")),
        bool(value.get("is_leaf")),
    )


def one_element(received: Received, what: str) -> torch.Tensor:
    """The single value of a 0-dim or one-element answer, as a 1-element tensor."""
    if received.values.numel() != 1:
        raise Mismatch(
            f"{what} should be a tensor with one element, not shape {tuple(received.values.shape)}."
        )
    return received.values.reshape(1)


def shape_is(received: Received, shape: Sequence[int], what: str) -> None:
    if tuple(received.values.shape) != tuple(shape):
        raise Mismatch(
            f"{what} should have shape {tuple(shape)}, not {tuple(received.values.shape)}."
        )


def close(
    got: torch.Tensor,
    expected: torch.Tensor,
    what: str,
    mistakes: Sequence[tuple[str, torch.Tensor]] = (),
) -> None:
    """Mismatch unless `got` matches `expected`; `mistakes` pairs a hint with what a typical
    wrong answer would have given, so the message can name it."""
    got, expected = got.to(torch.float64), expected.to(torch.float64)
    if got.shape != expected.shape:
        raise Mismatch(f"{what} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}.")
    if not torch.isfinite(got).all():
        raise Mismatch(f"{what} contains nan or inf.")
    wrong = ~torch.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if not wrong.any():
        return
    hint = next(
        (
            h
            for h, alt in mistakes
            if alt.shape == got.shape
            and torch.allclose(got, alt.to(torch.float64), rtol=RTOL, atol=ATOL)
        ),
        "",
    )
    if got.numel() == 1:
        raise Mismatch(f"{what} is not right: your answer was {got.item():.6g}.", hint)
    first = int(wrong.reshape(-1).nonzero()[0])
    raise Mismatch(
        f"{what} is wrong at {int(wrong.sum())} of {got.numel()} entries (the "
        f"first at flat index {first}, where your answer was "
        f"{got.reshape(-1)[first].item():.6g}).",
        hint,
    )


def _is_shape(shape: object) -> bool:
    return isinstance(shape, list) and all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape
    )
