"""Child side: the operations the grader can ask of a notebook's namespace.

Each operation calls student code with arguments built from plain data and answers with plain
data (see `encode`). The grader decides what the answers mean; nothing here knows the expected
values. An exception in student code is an answer too (`{"ok": False, "error": ...}`).

Everything reported here can be rewritten by student code running in the same process, so
the grader bases verdicts on *values* it compares with its own references: forging one means
computing the right answer. The probes are built so that the usual ways of being right by
accident (state kept between calls, on the class or in a global; inputs changed in place; a
backward that never runs) give wrong values: calls repeat on the same tensor objects
(`ref`), Functions are applied interleaved and nested, and a Function's `backward` is also
called directly with the node its forward made.
"""

from __future__ import annotations

import builtins

import torch

from autograders.sandbox.child.encode import c_getter, decode, encode

_isinstance = builtins.isinstance
_issubclass = builtins.issubclass
_type = builtins.type
_getattr = builtins.getattr
_len = builtins.len
_range = builtins.range
_reversed = builtins.reversed
_Function = torch.autograd.Function
_Tensor = torch.Tensor
_backward = torch.Tensor.backward
_grad_fn = c_getter("grad_fn")  # C-level: a patched property cannot lie here
_grad = c_getter("grad")


def run(op: dict, namespace: dict, registers: dict) -> dict:
    """Carry out one operation; student exceptions (even SystemExit) become answers.

    `registers` holds the tensors of one check by name, so a later probe of the same check can
    pass the very same objects again (`{"ref": name}`) and see what an earlier call did to them.
    """
    try:
        return OPERATIONS[op["op"]](op, namespace, registers)
    except BaseException as error:
        return {"ok": False, "error": describe(error)}


def describe(error: BaseException) -> dict:
    try:
        message = str(error)[:2000]
    except BaseException:
        message = "(the exception could not be printed)"
    return {"type": _type(error).__name__[:100], "message": message}


def _args(specs: list, registers: dict) -> list:
    return [decode(spec, registers) for spec in specs]


def call(op: dict, namespace: dict, registers: dict) -> dict:
    """Call `op["name"]` with decoded arguments; report the result and the arguments after."""
    function = _lookup(namespace, op["name"])
    args = _args(op.get("args", []), registers)
    result = function(*args)
    return {
        "ok": True,
        "value": encode(result),
        "args_after": [encode(arg) if _isinstance(arg, _Tensor) else None for arg in args],
    }


def function_apply(op: dict, namespace: dict, registers: dict) -> dict:
    """Apply a Function class to each call's inputs, then run each output's backward.

    `order` "each": apply and backward one call after the other; "interleaved": every forward
    first, then the backwards in reverse order (state kept outside `ctx` goes wrong here).
    `nested` applies the class to its own output that many times (Square(Square(x))).
    A call's `arity` passes only its first inputs, so an optional argument can be left out.
    """
    cls = _lookup(namespace, op["name"])
    calls = op["calls"]
    inputs = [_args(c["inputs"], registers)[: c.get("arity", _len(c["inputs"]))] for c in calls]
    reports: list[dict] = [{} for _ in calls]
    outputs: list = [None] * _len(calls)
    order = list(_range(_len(calls)))
    for n in order:
        outputs[n] = _forward(cls, inputs[n], calls[n].get("nested", 1), reports[n])
        if op.get("order") != "interleaved":
            _run_backward(outputs[n], calls[n], inputs[n], reports[n])
    if op.get("order") == "interleaved":
        for n in _reversed(order):
            _run_backward(outputs[n], calls[n], inputs[n], reports[n])
    return {
        "ok": True,
        "is_function": _isinstance(cls, _type) and _issubclass(cls, _Function),
        "calls": reports,
        "args_after": [
            [encode(x) if _isinstance(x, _Tensor) else None for x in xs] for xs in inputs
        ],
    }


def _forward(cls, inputs: list, nested: int, report: dict):
    try:
        output = cls.apply(*inputs)
        for _ in _range(nested - 1):
            output = cls.apply(output)
    except BaseException as error:
        report["forward"] = {"ok": False, "error": describe(error)}
        return None
    report["forward"] = {"ok": True, "value": encode(output)}
    return output


def _run_backward(output, call_spec: dict, inputs: list, report: dict) -> None:
    if "grad_output" not in call_spec or not report["forward"]["ok"]:
        return
    grad_output = decode(call_spec["grad_output"], {})
    try:
        _backward(output, grad_output)
    except BaseException as error:
        report["backward"] = {"ok": False, "error": describe(error)}
        return
    grads = [encode(_grad(x)) if _isinstance(x, _Tensor) else None for x in inputs]
    # the upstream gradient belongs to the caller: a backward must not change it in place
    report["backward"] = {"ok": True, "grads": grads, "grad_output_after": encode(grad_output)}


def backward_direct(op: dict, namespace: dict, registers: dict) -> dict:
    """`cls.backward(node, grad_output)` called directly, with the node (the `ctx`) that
    `cls.apply` made: what the student's own backward returns, whatever autograd would do."""
    cls = _lookup(namespace, op["name"])
    inputs = _args(op["inputs"], registers)[: op.get("arity", _len(op["inputs"]))]
    output = cls.apply(*inputs)
    node = _grad_fn(output) if _isinstance(output, _Tensor) else None
    if node is None:
        raise TypeError(f"the output of {op['name']}.apply is not part of a graph")
    backward = _getattr(cls, "backward")
    return {"ok": True, "value": encode(backward(node, decode(op["grad_output"], {})))}


def variables(op: dict, namespace: dict, registers: dict) -> dict:
    """The values of global names, e.g. the `is_leaf` and `has_grad` dicts."""
    found = {}
    for name in op["names"]:
        found[name] = encode(namespace[name]) if name in namespace else {"type": "missing"}
    return {"ok": True, "values": found}


def _lookup(namespace: dict, name: str):
    if name not in namespace:
        raise NameError(f"name '{name}' is not defined")
    return namespace[name]


OPERATIONS = {
    "call": call,
    "function_apply": function_apply,
    "backward_direct": backward_direct,
    "variables": variables,
}
