"""Child side: the operations the grader can ask of a notebook's namespace.

Each operation calls student code with arguments built from plain data and answers with plain
data (see `encode`). The grader decides what the answers mean; nothing here knows the expected
values. An exception in student code is an answer too (`{"ok": False, "error": ...}`).
"""

from __future__ import annotations

import builtins

import torch

from autograders.sandbox.encode import decode, encode

_issubclass = builtins.issubclass
_isinstance = builtins.isinstance
_type = builtins.type
_getattr = builtins.getattr
_Function = torch.autograd.Function
_Tensor = torch.Tensor
_backward = torch.Tensor.backward
_grad_fn = torch._C.TensorBase.grad_fn.__get__  # C-level: a patched property cannot lie here
_grad = torch._C.TensorBase.grad.__get__
_BackwardCFunction = torch.autograd.function.BackwardCFunction


def run(op: dict, namespace: dict) -> dict:
    """Carry out one operation; student exceptions (even SystemExit) become answers."""
    try:
        return OPERATIONS[op["op"]](op, namespace)
    except BaseException as error:
        return {"ok": False, "error": describe(error)}


def describe(error: BaseException) -> dict:
    try:
        message = str(error)[:2000]
    except BaseException:
        message = "(the exception could not be printed)"
    return {"type": _type(error).__name__[:100], "message": message}


def call(op: dict, namespace: dict) -> dict:
    """Call `op["name"]` with decoded arguments; report the result and the arguments after."""
    function = _lookup(namespace, op["name"])
    args = [decode(spec) for spec in op.get("args", [])]
    result = function(*args)
    return {
        "ok": True,
        "value": encode(result),
        "args_after": [encode(arg) if _isinstance(arg, _Tensor) else None for arg in args],
    }


def autograd_function(op: dict, namespace: dict) -> dict:
    """`cls.apply(*inputs)`, then `output.backward(grad_output)`, reporting every stage."""
    cls = _lookup(namespace, op["name"])
    answer: dict = {
        "ok": True,
        "is_function": _isinstance(cls, _type) and _issubclass(cls, _Function),
    }
    inputs = [decode(spec) for spec in op["inputs"]]
    try:
        output = cls.apply(*inputs)
    except BaseException as error:
        return answer | {"forward": {"ok": False, "error": describe(error)}}
    node = _grad_fn(output) if _isinstance(output, _Tensor) else None
    answer["forward"] = {"ok": True, "value": encode(output)}
    # Only Function.apply makes a BackwardCFunction node tied to the class: then the student's
    # backward is what autograd will call.
    answer["own_backward"] = (
        _isinstance(node, _BackwardCFunction) and _getattr(_type(node), "_forward_cls", None) is cls
    )
    if "grad_output" not in op:
        return answer
    try:
        _backward(output, decode(op["grad_output"]))
    except BaseException as error:
        return answer | {"backward": {"ok": False, "error": describe(error)}}
    grads = [encode(_grad(x)) if _isinstance(x, _Tensor) else None for x in inputs]
    return answer | {"backward": {"ok": True, "grads": grads}}


def variables(op: dict, namespace: dict) -> dict:
    """The values of global names, e.g. the `is_leaf` and `has_grad` dicts."""
    found = {}
    for name in op["names"]:
        found[name] = encode(namespace[name]) if name in namespace else {"type": "missing"}
    return {"ok": True, "values": found}


def _lookup(namespace: dict, name: str):
    if name not in namespace:
        raise NameError(f"name '{name}' is not defined")
    return namespace[name]


OPERATIONS = {"call": call, "autograd_function": autograd_function, "variables": variables}
