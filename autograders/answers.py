"""The shape of every answer a probe may bring back, checked before any judge reads it.

Answers come from the student's process, so they are untrusted: anything may arrive in their
place. `check_answer` accepts exactly the shapes that `sandbox/child/probes.py` and
`sandbox/child/encode.py` produce (and `static.py` for static probes) and raises `Malformed`
otherwise. A judge may then index an answer without guarding every key, and an exception in
a judge is a bug in the grader (see `problems.base.judge`), never the student's loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable

MAX_DEPTH = 8  # encode nests at most 4 containers; a figure adds 4 levels


class Malformed(Exception):
    """An answer that no probe could have produced."""


def check_answer(op: str, answer: object) -> None:
    """Raise Malformed unless `answer` has the shape that probe `op` produces."""
    answer = _mapping(answer)
    if answer.get("ok") is False:
        return _error(answer.get("error"))
    if answer.get("ok") is not True:
        raise Malformed("no ok flag")
    SHAPES.get(op, _unknown_op)(answer)


def _unknown_op(answer: dict) -> None:
    raise Malformed("an answer to an unknown probe")


def _call(answer: dict) -> None:
    check_value(answer.get("value"))
    for item in _list(answer.get("args_after")):
        if item is not None:
            check_value(item)


def _value_only(answer: dict) -> None:
    check_value(answer.get("value"))


def _function_apply(answer: dict) -> None:
    _bool(answer.get("is_function"))
    for report in _list(answer.get("calls")):
        report = _mapping(report)
        _stage(report.get("forward"), lambda r: check_value(r.get("value")))
        if "backward" in report:
            _stage(report["backward"], _backward_report)
    for inputs in _list(answer.get("args_after")):
        _optional_values(inputs)


def _backward_report(report: dict) -> None:
    _optional_values(report.get("grads"))
    check_value(report.get("grad_output_after"))


def _variables(answer: dict) -> None:
    for name, value in _mapping(answer.get("values")).items():
        _str(name)
        check_value(value)


def _stage(report: object, check_ok: Callable[[dict], None]) -> None:
    report = _mapping(report)
    if report.get("ok") is True:
        check_ok(report)
    elif report.get("ok") is False:
        _error(report.get("error"))
    else:
        raise Malformed("a stage without an ok flag")


def _error(error: object) -> None:
    error = _mapping(error)
    _str(error.get("type"))
    _str(error.get("message"))


def _optional_values(values: object) -> None:
    for value in _list(values):
        if value is not None:
            check_value(value)


def check_value(value: object, depth: int = 0) -> None:
    """Raise Malformed unless `value` is a description made by `encode.encode`."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    value = _mapping(value)
    kind = value.get("type")
    if kind not in VALUE_SHAPES:
        raise Malformed(f"unknown value type {str(kind)[:40]!r}")
    VALUE_SHAPES[kind](value, depth)


def _tensor(value: dict, depth: int) -> None:
    _str(value.get("dtype"))
    shape = _list(value.get("shape"))
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape):
        raise Malformed("a shape that is not a list of sizes")
    for flag in ("requires_grad", "is_leaf", "has_grad"):
        _bool(value.get(flag))
    if value.get("grad_fn") is not None:
        _str(value["grad_fn"])
    if value.get("data") is not None:
        data = _list(value["data"])
        if len(data) != math.prod(shape) or not all(_is_number(x) for x in data):
            raise Malformed("tensor data that does not fit its shape")


def _ndarray(value: dict, depth: int) -> None:
    _str(value.get("dtype"))
    _list(value.get("shape"))
    if value.get("data") is not None and not all(_is_number(x) for x in _list(value["data"])):
        raise Malformed("array data that is not numbers")


def _sequence(value: dict, depth: int) -> None:
    length = value.get("length")
    if not isinstance(length, int) or isinstance(length, bool):
        raise Malformed("a sequence without a length")
    for item in _list(value.get("items")):
        check_value(item, depth + 1)


def _dict(value: dict, depth: int) -> None:
    for key, item in _mapping(value.get("items")).items():
        _str(key)
        check_value(item, depth + 1)


def _figure(value: dict, depth: int) -> None:
    for axes in _list(value.get("axes")):
        axes = _mapping(axes)
        for key in ("xlabel", "ylabel", "title"):
            _str(axes.get(key))
        for line in _list(axes.get("lines")):
            line = _mapping(line)
            _str(line.get("label"))
            for key in ("x", "y"):
                if not all(_is_number(v) for v in _list(line.get(key))):
                    raise Malformed("line data that is not numbers")
        _legend(axes.get("legend"))
    for legend in _list(value.get("figure_legends")):
        _legend(legend)


def _legend(legend: object) -> None:
    if legend is None:
        return
    for entry in _list(legend):
        _str(_mapping(entry).get("text"))


def _class_facts(value: dict, depth: int) -> None:
    _bool(value.get("defined"))
    if value["defined"]:
        _bool(value.get("derives_from_function"))
        for key in ("bases", "methods", "static_methods"):
            for name in _list(value.get(key)):
                _str(name)


def _scalar(kind: type | tuple[type, ...]) -> Callable[[dict, int], None]:
    def check(value: dict, depth: int) -> None:
        if not isinstance(value.get("value"), kind) or (
            kind is not bool and isinstance(value.get("value"), bool)
        ):
            raise Malformed("a scalar of the wrong type")

    return check


def _nothing(value: dict, depth: int) -> None:
    return None


def _mapping(value: object) -> dict:
    if not isinstance(value, dict):
        raise Malformed("expected an object")
    return value


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise Malformed("expected a list")
    return value


def _str(value: object) -> None:
    if not isinstance(value, str):
        raise Malformed("expected text")


def _bool(value: object) -> None:
    if not isinstance(value, bool):
        raise Malformed("expected a bool")


def _is_number(value: object) -> bool:
    kind = type(value)  # JSON gives exact ints and floats: the usual case, tested first
    return kind is float or kind is int or (isinstance(value, int | float) and kind is not bool)


VALUE_SHAPES: dict[str, Callable[[dict, int], None]] = {
    "none": _nothing,
    "missing": _nothing,
    "unreadable": _nothing,
    "object": _nothing,
    "bool": _scalar(bool),
    "number": _scalar((int, float)),
    "str": _scalar(str),
    "tensor": _tensor,
    "ndarray": _ndarray,
    "tuple": _sequence,
    "list": _sequence,
    "dict": _dict,
    "figure": _figure,
    "class_facts": _class_facts,
}
SHAPES: dict[str, Callable[[dict], None]] = {
    "call": _call,
    "function_apply": _function_apply,
    "backward_direct": _value_only,
    "variables": _variables,
    "class_facts": _value_only,
}
