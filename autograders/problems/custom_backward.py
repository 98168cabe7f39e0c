"""custom_backward.ipynb: `Square`, `LinearFunction` and the leaf-tensor answers."""

from __future__ import annotations

import random

import torch

from autograders import compare, references
from autograders.compare import Mismatch
from autograders.problems.base import (
    Check,
    Problem,
    Trial,
    autograd_function,
    random_tensor,
    tensor,
    variables,
)

NOTEBOOK = "custom_backward"
NOT_A_FUNCTION = (
    "Define it as `class {name}(torch.autograd.Function)` with static `forward` "
    "and `backward` methods, and call it through `{name}.apply`."
)
IGNORES_GRAD_OUTPUT = (
    "`backward` ignores `grad_output`. By the chain rule it must return "
    "grad_output times the local derivative."
)


def _require_function(answer: dict, name: str) -> None:
    compare.returned(answer | {"value": {}}, f"{name}.apply")
    if not answer.get("is_function"):
        raise Mismatch(
            f"{name} is not a subclass of torch.autograd.Function.",
            NOT_A_FUNCTION.format(name=name),
        )


def _require_own_backward(answer: dict, name: str, text: str) -> None:
    """A Function subclass whose forward ran, and whose output autograd will send back
    through the student's own `backward` (not through plain autograd of the forward)."""
    _require_function(answer, name)
    _stage(answer, "forward", text)
    if not answer.get("own_backward"):
        raise Mismatch(
            f"The output of {name}.apply is not made by {name}'s own backward node, so your "
            "`backward` never runs.",
            NOT_A_FUNCTION.format(name=name),
        )


def _stage(answer: dict, stage: str, text: str) -> dict:
    """The forward or backward report of an autograd_function answer."""
    report = answer.get(stage)
    if not isinstance(report, dict):
        raise Mismatch(f"{text}: the {stage} pass did not run.")
    return compare.returned(report, f"{text} ({stage})") if stage == "forward" else report


def _grads(answer: dict, text: str) -> list:
    report = _stage(answer, "backward", text)
    if not report.get("ok"):
        compare.returned(report, f"{text}.backward(...)")
    return report.get("grads") or []


def _shapes(rng: random.Random) -> list[tuple[int, ...]]:
    return [(rng.randint(2, 6),), (rng.randint(2, 4), rng.randint(2, 4)), ()]


def square_forward_trial(rng: random.Random) -> Trial:
    cases = [random_tensor(rng, shape) for shape in _shapes(rng)]

    def judge(answers: list) -> None:
        for i, answer in zip(cases, answers, strict=True):
            _require_function(answer, "Square")
            text = f"Square.apply(i) for i of shape {tuple(i.shape)}"
            got = compare.tensor(_stage(answer, "forward", text), text)
            compare.close(got.values, i.to(torch.float64) ** 2, text)

    return Trial(
        [autograd_function("Square", [tensor(i, requires_grad=True)]) for i in cases], judge
    )


def square_backward_trial(rng: random.Random) -> Trial:
    cases = [
        (random_tensor(rng, shape), random_tensor(rng, shape, 0.5, 3.0)) for shape in _shapes(rng)
    ]

    def judge(answers: list) -> None:
        for (i, upstream), answer in zip(cases, answers, strict=True):
            text = f"Square.apply(i).backward(g) for i of shape {tuple(i.shape)}"
            _require_own_backward(answer, "Square", text)
            _, want = references.square(i, upstream)
            (grad,) = _grads(answer, text)[:1] or [None]
            if grad is None or grad.get("type") == "none":
                raise Mismatch(f"{text} left i.grad empty.")
            got = compare.tensor(grad, f"i.grad after {text}")
            mistakes = [
                (IGNORES_GRAD_OUTPUT, 2 * i.double()),
                ("The factor 2 of d(i**2)/di = 2i is missing.", i.double() * upstream),
            ]
            compare.close(got.values, want, f"i.grad after {text}", mistakes)

    return Trial(
        [autograd_function("Square", [tensor(i, requires_grad=True)], tensor(g)) for i, g in cases],
        judge,
    )


def _linear_case(rng: random.Random, with_bias: bool):
    batch, size_in, size_out = rng.randint(2, 5), rng.randint(2, 5), rng.randint(2, 5)
    while size_out == size_in:  # distinct sizes, so a missing transpose cannot go unnoticed
        size_out = rng.randint(2, 6)
    x = random_tensor(rng, (batch, size_in))
    weight = random_tensor(rng, (size_out, size_in))
    bias = random_tensor(rng, (size_out,)) if with_bias else None
    return x, weight, bias, random_tensor(rng, (batch, size_out), 0.5, 3.0)


def _linear_probe(case, backward: bool) -> dict:
    x, weight, bias, upstream = case
    args = [
        tensor(x, requires_grad=True),
        tensor(weight, requires_grad=True),
        tensor(bias, requires_grad=True) if bias is not None else None,
    ]
    return autograd_function("LinearFunction", args, tensor(upstream) if backward else None)


def _linear_text(case) -> str:
    x, weight, bias, _ = case
    return (
        f"LinearFunction.apply(input {tuple(x.shape)}, weight {tuple(weight.shape)}, "
        f"{'bias' if bias is not None else 'None'})"
    )


def linear_forward_trial(rng: random.Random) -> Trial:
    cases = [_linear_case(rng, True), _linear_case(rng, False)]

    def judge(answers: list) -> None:
        for case, answer in zip(cases, answers, strict=True):
            _require_function(answer, "LinearFunction")
            want, _ = references.linear(*case)
            text = _linear_text(case)
            compare.close(compare.tensor(_stage(answer, "forward", text), text).values, want, text)

    return Trial([_linear_probe(case, backward=False) for case in cases], judge)


def linear_backward_trial(rng: random.Random) -> Trial:
    cases = [_linear_case(rng, True), _linear_case(rng, False)]

    def judge(answers: list) -> None:
        for case, answer in zip(cases, answers, strict=True):
            text = _linear_text(case)
            _require_own_backward(answer, "LinearFunction", text)
            _, wants = references.linear(*case)
            grads = _grads(answer, text)
            for name, want, got in zip(("input", "weight", "bias"), wants, grads, strict=True):
                if want is None:
                    continue
                what = f"the gradient of {name} for {text}"
                if not isinstance(got, dict) or got.get("type") != "tensor":
                    raise Mismatch(f"{what} is missing.", "Return one gradient per input.")
                compare.close(compare.tensor(got, what).values, want, what)

    return Trial([_linear_probe(case, backward=True) for case in cases], judge)


def _leaf_trial(name: str):
    def make(rng: random.Random) -> Trial:
        def judge(answers: list) -> None:
            answer = compare.returned(answers[0] | {"value": {}}, name)
            del answer
            found = answers[0]["values"][name]
            if found.get("type") != "dict":
                raise Mismatch(
                    f"`{name}` should be a dict keyed 'a' to 'e', not {compare.describe(found)}."
                )
            want = references.leaf_facts()[0 if name == "is_leaf" else 1]
            entries = found["items"]
            for key, _expected in want.items():
                got = entries.get(key, {"type": "missing"})
                if got.get("type") != "bool":
                    raise Mismatch(
                        f"`{name}[{key!r}]` should be True or False, not {compare.describe(got)}."
                    )
            wrong = [key for key, expected in want.items() if entries[key]["value"] != expected]
            if wrong:
                raise Mismatch(f"`{name}` is wrong for {len(wrong)} of the 5 tensors.")

        return Trial([variables(name)], judge)

    return make


PROBLEMS = (
    Problem(
        "square_function",
        NOTEBOOK,
        (
            Check(
                "square_function_test_forward",
                1,
                "Square: a torch.autograd.Function whose forward squares any shape",
                square_forward_trial,
            ),
            Check(
                "square_function_test_backward",
                2,
                "Square: its own backward, with hidden upstream gradients",
                square_backward_trial,
            ),
        ),
    ),
    Problem(
        "linear_function",
        NOTEBOOK,
        (
            Check(
                "linear_function_test_forward",
                1,
                "LinearFunction: forward with and without bias",
                linear_forward_trial,
            ),
            Check(
                "linear_function_test_backward",
                2,
                "LinearFunction: gradients of input, weight and bias for hidden upstream gradients",
                linear_backward_trial,
            ),
        ),
    ),
    Problem(
        "leaf_answers",
        NOTEBOOK,
        (
            Check(
                "leaf_answers_test_is_leaf",
                1,
                "leaf_answers: is_leaf for a to e",
                _leaf_trial("is_leaf"),
            ),
            Check(
                "leaf_answers_test_has_grad",
                1,
                "leaf_answers: has_grad for a to e",
                _leaf_trial("has_grad"),
            ),
        ),
    ),
)
