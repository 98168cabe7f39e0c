"""Batteries for the custom autograd Functions and the leaf answers (see `battery`)."""

from __future__ import annotations

import random

from benchmarks.mutants.battery import DTYPES, leaf, rand, upstream
from benchmarks.mutants.observe import Recorder


def _own_node(ns: dict, name: str, out: object) -> bool:
    """Whether autograd will send gradients through the Function's own backward."""
    node = getattr(out, "grad_fn", None)
    return node is not None and type(node) is getattr(ns[name], "_backward_cls", None)


def _apply_backward(ns, rec, name, label, inputs, grad) -> None:
    out = rec.call(f"{label} forward", lambda: ns[name].apply(*inputs))
    rec.value(f"{label} own node", _own_node(ns, name, out))
    rec.call(f"{label} backward", lambda: out.backward(grad))
    state = [(t, t.grad) if t is not None else None for t in inputs]
    rec.value(f"{label} inputs and their grads after", state, flags=True)
    rec.value(f"{label} upstream gradient after", grad)


def square_function(ns: dict, rng: random.Random, rec: Recorder) -> None:
    shapes = [(), (rng.randint(2, 6),), (rng.randint(2, 4), rng.randint(2, 4))]
    for shape in shapes:
        for dtype in DTYPES:
            i, g = leaf(rng, shape, dtype), upstream(rng, shape, dtype)
            _apply_backward(ns, rec, "Square", f"Square {shape} {dtype}", [i], g)
    shape = shapes[1]
    a, b = leaf(rng, shape), leaf(rng, shape)
    ga, gb = upstream(rng, shape), upstream(rng, shape)
    ya = rec.call("overlapping: Square(a)", lambda: ns["Square"].apply(a))
    yb = rec.call("overlapping: Square(b)", lambda: ns["Square"].apply(b))
    rec.call("overlapping: backward a", lambda: ya.backward(ga))
    rec.call("overlapping: backward b", lambda: yb.backward(gb))
    rec.value("overlapping: grads", [a.grad, b.grad])
    i, g = leaf(rng, shape), upstream(rng, shape)
    rec.call("fan-out", lambda: (ns["Square"].apply(a) + ns["Square"].apply(b)).backward(g))
    rec.value("fan-out: grads", [a.grad, b.grad])
    rec.call("nested", lambda: ns["Square"].apply(ns["Square"].apply(i)).backward(g))
    rec.value("nested: grad", i.grad)
    w = leaf(rng, shape)
    rec.call("non-leaf input", lambda: ns["Square"].apply(w * 1.5).backward(g))
    rec.value("non-leaf input: grad", w.grad)
    t = rand(rng, shape)
    rec.call("input without grad", lambda: ns["Square"].apply(t), flags=True)
    rec.value("input without grad, after", t)


def _linear_inputs(rng: random.Random, dtype, bias: bool, sizes=None):
    batch, size_in, size_out = sizes or (rng.randint(2, 5), rng.randint(2, 5), rng.randint(2, 5))
    if size_out == size_in:
        size_out += 1
    x, w = leaf(rng, (batch, size_in), dtype), leaf(rng, (size_out, size_in), dtype)
    b = leaf(rng, (size_out,), dtype) if bias else None
    return x, w, b, upstream(rng, (batch, size_out), dtype)


def linear_function(ns: dict, rng: random.Random, rec: Recorder) -> None:
    for dtype in DTYPES:
        for form in ("bias", "None", "omitted"):
            x, w, b, g = _linear_inputs(rng, dtype, form == "bias")
            inputs = [x, w] if form == "omitted" else [x, w, b]
            _apply_backward(ns, rec, "LinearFunction", f"Linear {form} {dtype}", inputs, g)
    for without in range(3):  # one input does not require grad: needs_input_grad differs
        inputs = list(_linear_inputs(rng, DTYPES[0], True))
        inputs[without].requires_grad_(False)
        label = f"Linear, input {without} without grad"
        _apply_backward(ns, rec, "LinearFunction", label, inputs[:3], inputs[3])
    _overlapping_and_nested(ns, rng, rec)


def _overlapping_and_nested(ns: dict, rng: random.Random, rec: Recorder) -> None:
    apply = ns["LinearFunction"].apply
    x1, w1, b1, g1 = _linear_inputs(rng, DTYPES[0], True, (3, 4, 2))
    x2, w2, b2, g2 = _linear_inputs(rng, DTYPES[0], False, (2, 3, 5))
    y1 = rec.call("overlapping: first", lambda: apply(x1, w1, b1))
    y2 = rec.call("overlapping: second", lambda: apply(x2, w2))
    rec.call("overlapping: backward second", lambda: y2.backward(g2))
    rec.call("overlapping: backward first", lambda: y1.backward(g1))
    rec.value("overlapping: grads", [x1.grad, w1.grad, b1.grad, x2.grad, w2.grad])
    x, w, b, _ = _linear_inputs(rng, DTYPES[1], True, (3, 4, 2))
    w_out, g = leaf(rng, (5, 2), DTYPES[1]), upstream(rng, (3, 5), DTYPES[1])
    rec.call("nested", lambda: apply(apply(x, w, b), w_out).backward(g))
    rec.value("nested: grads", [x.grad, w.grad, b.grad, w_out.grad])


def leaf_answers(ns: dict, rng: random.Random, rec: Recorder) -> None:
    del rng
    rec.value("is_leaf", ns.get("is_leaf"))
    rec.value("has_grad", ns.get("has_grad"))
