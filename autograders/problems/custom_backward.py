"""custom_backward.ipynb: `Square`, `LinearFunction` and the leaf-tensor answers.

What a Function must get right, and how the probes expose each way of getting it wrong:
- the class derives from `torch.autograd.Function`: read from the source text on the grader's
  side (`static.class_facts`), and asked of the child too;
- the values of forward and backward, for any shape, dtype and upstream gradient;
- its own `backward`, called directly with the node its forward made (`backward_direct`), so
  a class whose gradients come from plain autograd scores no backward points;
- state kept in `ctx`, not on the class or in a global: Functions applied interleaved
  (every forward, then the backwards in reverse) and nested;
- inputs left unchanged: the same tensor objects are passed to a second call;
- `LinearFunction` with its bias left out, and with inputs that do not require grad.
"""

from __future__ import annotations

import random

import torch

from autograders import compare, references
from autograders.compare import Mismatch
from autograders.problems.base import (
    Check,
    Problem,
    Trial,
    backward_direct,
    function_apply,
    function_call,
    random_tensor,
    ref,
    tensor,
    variables,
)
from autograders.static import class_facts

NOTEBOOK = "custom_backward"
NOT_A_FUNCTION = (
    "Define it as `class {name}(torch.autograd.Function)` with static `forward` "
    "and `backward` methods, and call it through `{name}.apply`."
)
IGNORES_GRAD_OUTPUT = (
    "`backward` ignores `grad_output`. By the chain rule it must return "
    "grad_output times the local derivative."
)
STATE_OUTSIDE_CTX = (
    "Keep what backward needs on `ctx` (`ctx.save_for_backward(...)`), not on the class or in "
    "a global: another application of the Function overwrites it."
)
CHANGED_INPUT = "forward changed its input in place: compute a new tensor instead."
DTYPES = (torch.float32, torch.float64)


def _require_function(facts: object, child: dict, name: str) -> None:
    """The class statement derives from Function (read from the source), and so does the
    object the notebook ends up with under that name (asked of the child)."""
    value = compare.returned(facts, f"class {name}")
    if not value.get("defined"):
        raise Mismatch(f"There is no `class {name}` statement.", NOT_A_FUNCTION.format(name=name))
    if not value.get("derives_from_function") or not child.get("is_function"):
        raise Mismatch(
            f"{name} is not a subclass of torch.autograd.Function.",
            NOT_A_FUNCTION.format(name=name),
        )


def _applied(answer: dict, name: str) -> list[dict]:
    """The per-call reports of a `function_apply` answer."""
    compare.returned(answer | {"value": {}}, f"{name}.apply")
    return answer["calls"]


def _forward_value(report: dict, text: str) -> torch.Tensor:
    return compare.tensor(compare.returned(report["forward"], f"{text} (forward)"), text).values


def _grads(report: dict, text: str, upstream: torch.Tensor | None = None) -> list:
    """The gradients a backward delivered; with `upstream`, also that it left the caller's
    upstream gradient as it was."""
    compare.returned(report["forward"], f"{text} (forward)")
    backward = report.get("backward")
    if backward is None:
        raise Mismatch(f"{text}: the backward pass did not run.")
    if not backward["ok"]:
        compare.returned(backward, f"{text}.backward(...)")
    if upstream is not None:
        after = compare.tensor(backward["grad_output_after"], f"grad_output after {text}")
        if after.values.shape != upstream.shape or not torch.equal(after.values, upstream.double()):
            raise Mismatch(
                f"{text}: backward changed grad_output in place.",
                "Compute a new tensor (`grad_output * 2 * i`), not `grad_output.mul_(...)`: "
                "grad_output belongs to the caller and may be used again.",
            )
    return backward["grads"]


def _gradient(got: object, want: torch.Tensor, what: str, mistakes=()) -> None:
    if not isinstance(got, dict) or got.get("type") != "tensor":
        raise Mismatch(
            f"{what} is missing: no gradient reached it.", "Return one gradient per input."
        )
    compare.close(compare.tensor(got, what).values, want, what, mistakes)


def _inputs_unchanged(answer: dict, sent: list[list[torch.Tensor | None]], text: str) -> None:
    for inputs, after in zip(sent, answer["args_after"], strict=False):
        for tensor_sent, reported in zip(inputs, after, strict=False):
            if tensor_sent is None or reported is None:
                continue
            if not torch.equal(compare.tensor(reported, text).values, tensor_sent.double()):
                raise Mismatch(f"{text}: {CHANGED_INPUT}", CHANGED_INPUT)


# --- Square ---------------------------------------------------------------------------------


def _square_cases(rng: random.Random) -> list[torch.Tensor]:
    shapes = [(rng.randint(2, 6),), (rng.randint(2, 4), rng.randint(2, 4)), (), (2, 1, 3)]
    return [random_tensor(rng, shape).to(rng.choice(DTYPES)) for shape in shapes]


def square_forward_trial(rng: random.Random) -> Trial:
    cases = _square_cases(rng)
    grads = [rng.random() < 0.5 for _ in cases]
    # each input is applied to twice, the same object: a forward that squares in place is seen
    calls = [
        function_call([tensor(i, requires_grad=g, name=f"i{n}")])
        for n, (i, g) in enumerate(zip(cases, grads, strict=True))
    ] + [function_call([ref(f"i{n}")]) for n in range(len(cases))]

    def judge(answers: list) -> None:
        facts, answer = answers
        _require_function(facts, answer, "Square")
        reports = _applied(answer, "Square")
        for n, (i, report) in enumerate(zip(cases + cases, reports, strict=True)):
            text = f"Square.apply(i) for a {str(i.dtype)[6:]} i of shape {tuple(i.shape)}"
            again = n >= len(cases)
            mistakes = [(CHANGED_INPUT, i.double() ** 4)] if again else []
            compare.close(_forward_value(report, text), i.double() ** 2, text, mistakes)
        _inputs_unchanged(answer, [[i] for i in cases], "Square.apply(i)")

    return Trial([class_facts("Square"), function_apply("Square", calls)], judge)


def square_backward_trial(rng: random.Random) -> Trial:
    cases = [
        (i, random_tensor(rng, tuple(i.shape), 0.5, 3.0).to(i.dtype)) for i in _square_cases(rng)
    ]
    (a, ga) = cases[0]
    each = [
        function_call([tensor(i, requires_grad=True, name=f"i{n}")], tensor(g))
        for n, (i, g) in enumerate(cases)
    ]
    # the first input once more, the same object: its .grad accumulates to twice the gradient,
    # unless the first forward changed it in place
    each.append(function_call([ref("i0")], tensor(ga)))
    # a second input of the same shape: state kept on the class then gives a wrong gradient
    # (2 * b * ga) rather than a shape error, so the message can name the mistake
    b = random_tensor(rng, tuple(a.shape)).to(a.dtype)
    gb = random_tensor(rng, tuple(a.shape), 0.5, 3.0).to(a.dtype)
    pair = [(a, ga), (b, gb)]
    interleaved = [function_call([tensor(i, requires_grad=True)], tensor(g)) for i, g in pair]
    nested = [function_call([tensor(a, requires_grad=True)], tensor(ga), nested=2)]

    def judge(answers: list) -> None:
        facts, plain, mixed, twice, *direct = answers
        _require_function(facts, plain, "Square")
        *reports, again = _applied(plain, "Square")
        for (i, g), report in zip(cases, reports, strict=True):
            _square_grad(
                report, i, g, f"Square.apply(i).backward(g) for i of shape {tuple(i.shape)}"
            )
        (got,) = _grads(again, "Square.apply(i) again")[:1]
        _, once = references.square(a, ga)
        _gradient(
            got,
            2 * once,
            "i.grad after a second Square.apply(i).backward(g) on the same i",
            [(CHANGED_INPUT, once + references.square(a.double() ** 2, ga)[1])],
        )
        text = "two Square.apply(...) calls, then their backwards in reverse order"
        for (i, g), report in zip(pair, _applied(mixed, "Square"), strict=True):
            _square_grad(report, i, g, text, [(STATE_OUTSIDE_CTX, 2 * b.double() * g.double())])
        (report,) = _applied(twice, "Square")
        (got,) = _grads(report, "Square.apply(Square.apply(i))")[:1]
        _, want = references.square(a, ga, nested=2)
        # state on the class: the inner backward multiplies by the outer input, a ** 2
        stale = 4 * a.double() ** 4 * ga.double()
        _gradient(
            got,
            want,
            "i.grad after Square.apply(Square.apply(i)).backward(g)",
            [(STATE_OUTSIDE_CTX, stale)],
        )
        for (i, g), answer in zip(cases, direct, strict=True):
            _square_direct(answer, i, g)

    probes = [
        class_facts("Square"),
        function_apply("Square", each),
        function_apply("Square", interleaved, interleaved=True),
        function_apply("Square", nested),
    ]
    probes += [
        backward_direct("Square", [tensor(i, requires_grad=True)], tensor(g)) for i, g in cases
    ]
    return Trial(probes, judge)


def _square_grad(report: dict, i: torch.Tensor, g: torch.Tensor, text: str, extra=()) -> None:
    (got,) = _grads(report, text, g)[:1] or [None]
    _, want = references.square(i, g)
    mistakes = [
        (IGNORES_GRAD_OUTPUT, 2 * i.double()),
        ("The factor 2 of d(i**2)/di = 2i is missing.", i.double() * g.double()),
        *extra,
    ]
    _gradient(got, want, f"i.grad after {text}", mistakes)


def _square_direct(answer: dict, i: torch.Tensor, g: torch.Tensor) -> None:
    text = f"Square.backward(ctx, g) for i of shape {tuple(i.shape)}"
    value = compare.returned(answer, text)
    if value.get("type") in ("tuple", "list") and value.get("length") == 1:
        value = value["items"][0]
    _, want = references.square(i, g)
    _gradient(value, want, f"what {text} returns", [(IGNORES_GRAD_OUTPUT, 2 * i.double())])


# --- LinearFunction -------------------------------------------------------------------------


def _linear_case(rng: random.Random, with_bias: bool, dtype: torch.dtype = torch.float32):
    batch, size_in, size_out = rng.randint(1, 5), rng.randint(2, 5), rng.randint(2, 5)
    while size_out == size_in:  # distinct sizes, so a missing transpose cannot go unnoticed
        size_out = rng.randint(2, 6)
    x = random_tensor(rng, (batch, size_in)).to(dtype)
    weight = random_tensor(rng, (size_out, size_in)).to(dtype)
    bias = random_tensor(rng, (size_out,)).to(dtype) if with_bias else None
    return x, weight, bias, random_tensor(rng, (batch, size_out), 0.5, 3.0).to(dtype)


def _linear_inputs(case, needs=(True, True, True), prefix: str = "") -> list[dict | None]:
    x, weight, bias, _ = case
    named = zip((x, weight, bias), needs, ("x", "w", "b"), strict=True)
    return [
        tensor(t, requires_grad=need, name=f"{prefix}{label}" if prefix else "")
        if t is not None
        else None
        for t, need, label in named
    ]


def _linear_text(case, omitted: bool = False, needs=(True, True, True)) -> str:
    x, weight, bias, _ = case
    third = "bias" if bias is not None else ("no bias argument" if omitted else "None")
    frozen = [
        name for name, need in zip(("input", "weight", "bias"), needs, strict=True) if not need
    ]
    tail = f"; {' and '.join(frozen)} without grad" if frozen else ""
    return (
        f"LinearFunction.apply(input {tuple(x.shape)}, weight {tuple(weight.shape)}, {third}){tail}"
    )


def linear_forward_trial(rng: random.Random) -> Trial:
    cases = [
        _linear_case(rng, True),
        _linear_case(rng, False),
        _linear_case(rng, False),
        _linear_case(rng, True, torch.float64),
    ]
    arity = [3, 3, 2, 3]  # the third leaves the optional bias out
    calls = [
        function_call(_linear_inputs(c, prefix=f"c{n}"), arity=k)
        for n, (c, k) in enumerate(zip(cases, arity, strict=True))
    ]
    calls.append(function_call([ref("c0x"), ref("c0w"), ref("c0b")]))  # the same objects again

    def judge(answers: list) -> None:
        facts, answer = answers
        _require_function(facts, answer, "LinearFunction")
        reports = _applied(answer, "LinearFunction")
        for case, k, report in zip([*cases, cases[0]], [*arity, 3], reports, strict=True):
            text = _linear_text(case, omitted=k == 2)
            x, weight, bias, _ = case
            want = references.linear_output(
                x.double(), weight.double(), bias.double() if bias is not None else None
            )
            compare.close(_forward_value(report, text), want, text)
        _inputs_unchanged(answer, [list(c[:3]) for c in cases], "LinearFunction.apply")

    return Trial([class_facts("LinearFunction"), function_apply("LinearFunction", calls)], judge)


LINEAR_VARIANTS = (  # (with bias, arity, inputs that require grad)
    (True, 3, (True, True, True)),
    (False, 3, (True, True, True)),
    (False, 2, (True, True, True)),
    (True, 3, (False, True, True)),
    (True, 3, (True, False, False)),
)


def linear_backward_trial(rng: random.Random) -> Trial:
    cases = [_linear_case(rng, bias, rng.choice(DTYPES)) for bias, _, _ in LINEAR_VARIANTS]
    each = [
        function_call(_linear_inputs(c, needs), tensor(c[3]), arity=k)
        for c, (_, k, needs) in zip(cases, LINEAR_VARIANTS, strict=True)
    ]
    pair = [function_call(_linear_inputs(c), tensor(c[3])) for c in (cases[0], cases[3])]

    def judge(answers: list) -> None:
        facts, plain, mixed, *direct = answers
        _require_function(facts, plain, "LinearFunction")
        reports = _applied(plain, "LinearFunction")
        for case, (_, k, needs), report in zip(cases, LINEAR_VARIANTS, reports, strict=True):
            text = _linear_text(case, k == 2, needs)
            _linear_grads(_grads(report, text, case[3]), case, needs, k == 2)
        for case, report in zip(
            (cases[0], cases[3]), _applied(mixed, "LinearFunction"), strict=True
        ):
            text = "two LinearFunction.apply(...) calls, then their backwards in reverse order"
            _linear_grads(_grads(report, text), case, (True, True, True), False, text)
        for case, answer in zip(cases[:3], direct, strict=True):
            _linear_direct(answer, case)

    probes = [
        class_facts("LinearFunction"),
        function_apply("LinearFunction", each),
        function_apply("LinearFunction", pair, interleaved=True),
    ]
    probes += [
        backward_direct("LinearFunction", _linear_inputs(c), tensor(c[3]), arity=k)
        for c, (_, k, _) in zip(cases[:3], LINEAR_VARIANTS[:3], strict=True)
    ]
    return Trial(probes, judge)


def _linear_grads(grads: list, case, needs, omitted: bool, text: str = "") -> None:
    text = text or _linear_text(case, omitted, needs)
    x, weight, bias, upstream = case
    _, wants = references.linear(x, weight, bias, upstream, needs_grad=needs)
    grads = [*grads, None, None, None][:3]  # two inputs when the bias was left out
    for name, want, got in zip(("input", "weight", "bias"), wants, grads, strict=True):
        if want is not None:
            _gradient(got, want, f"the gradient of {name} for {text}")


def _linear_direct(answer: dict, case) -> None:
    text = f"LinearFunction.backward(ctx, grad_output) for {_linear_text(case)}"
    value = compare.returned(answer, text)
    if value.get("type") not in ("tuple", "list") or value.get("length") not in (2, 3):
        raise Mismatch(
            f"{text} should return one gradient per input of forward, not "
            f"{compare.describe(value)}.",
            "Return (grad_input, grad_weight, grad_bias), with None for an absent bias.",
        )
    _, (want_input, want_weight, _) = references.linear(*case)
    for name, want, got in zip(
        ("input", "weight"), (want_input, want_weight), value["items"], strict=False
    ):
        assert want is not None  # both require grad here
        _gradient(got, want, f"the {name} gradient that {text} returns")


# --- leaf answers ---------------------------------------------------------------------------


def _leaf_trial(name: str):
    def make(rng: random.Random) -> Trial:
        def judge(answers: list) -> None:
            compare.returned(answers[0] | {"value": {}}, name)
            found = answers[0]["values"].get(name, {"type": "missing"})
            if found.get("type") != "dict":
                raise Mismatch(
                    f"`{name}` should be a dict keyed 'a' to 'e', not {compare.describe(found)}."
                )
            want = references.leaf_facts()[0 if name == "is_leaf" else 1]
            entries = found["items"]
            for key in want:
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
                "Square: a torch.autograd.Function whose forward squares any shape and dtype",
                square_forward_trial,
            ),
            Check(
                "square_function_test_backward",
                2,
                "Square: its own backward, with hidden upstream gradients, nested and interleaved",
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
                "LinearFunction: forward with, without and with no bias argument",
                linear_forward_trial,
            ),
            Check(
                "linear_function_test_backward",
                2,
                "LinearFunction: its own backward for hidden upstream gradients, with and without "
                "bias, and with inputs that do not require grad",
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
