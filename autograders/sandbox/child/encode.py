"""Child side: turn the grader's plain-data arguments into torch objects, and student results
back into plain data.

Everything here runs inside the sandbox, next to student code. The functions and classes it
needs are bound at import (before any notebook cell runs), so a cell that rebinds
`torch.Tensor.tolist`, `isinstance` or `numpy.asarray` cannot change how results are read.
Student objects are only inspected through these bound functions, and never compared with
expected values: the child holds none.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import matplotlib.colors
import matplotlib.figure
import numpy
import torch

MAX_ELEMENTS = 100_000
MAX_ITEMS = 64
MAX_TEXT = 2_000
MAX_DEPTH = 4

# Module-level copies of the builtins used below: a cell that rebinds `builtins.isinstance`
# cannot reach them (module globals are looked up before builtins).
bool, dict, float, getattr, int, isinstance, len, list, str, tuple, type = (  # noqa: A001
    builtins.bool,
    builtins.dict,
    builtins.float,
    builtins.getattr,
    builtins.int,
    builtins.isinstance,
    builtins.len,
    builtins.list,
    builtins.str,
    builtins.tuple,
    builtins.type,
)
_Tensor = torch.Tensor
# Tensor attributes are read through torch's C base class, which Python code cannot patch: a
# cell that replaces `torch.Tensor.requires_grad` or `.tolist` does not change what we report.
_Base = torch._C.TensorBase


def c_getter(name: builtins.str) -> Callable[[object], Any]:
    """The C-level getter of a tensor attribute: a property patched in Python cannot lie here."""
    return vars(_Base)[name].__get__


_requires_grad, _is_leaf, _grad, _grad_fn, _shape, _dtype = map(
    c_getter, ("requires_grad", "is_leaf", "grad", "grad_fn", "shape", "dtype")
)
_detach, _to, _reshape, _tolist = _Base.detach, _Base.to, _Base.reshape, _Base.tolist
_numel, _is_complex = _Base.numel, _Base.is_complex
_tensor = torch.tensor
_no_torch_function = torch._C.DisableTorchFunctionSubclass
_asarray = numpy.asarray
_to_rgba = matplotlib.colors.to_rgba
_Figure = matplotlib.figure.Figure
_DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "bool": torch.bool,
}
_FUNCTION_GLOBALS = {"torch": torch, "math": math, "__builtins__": {}}


def decode(spec, registers: builtins.dict):
    """An argument for a student function, from the grader's description of it.

    A tensor with a `"name"` is kept in `registers`; `{"ref": name}` is that same object again.
    """
    if spec is None or isinstance(spec, (bool, int, float, str)):
        return spec
    if "ref" in spec:
        return registers[spec["ref"]]
    if "tensor" in spec:
        value = _tensor(spec["tensor"], dtype=_DTYPES[spec.get("dtype", "float32")])
        value = value.requires_grad_(bool(spec.get("requires_grad", False)))
        if "name" in spec:
            registers[spec["name"]] = value
        return value
    if "function" in spec:
        # The expression is the grader's own (for example "torch.sin(x) * x"), not the student's.
        params = ", ".join(spec["params"])
        return eval(f"lambda {params}: {spec['function']}", dict(_FUNCTION_GLOBALS))  # noqa: S307
    raise ValueError(f"unknown argument description: {sorted(spec)}")


def encode(value, depth: builtins.int = 0) -> builtins.dict:
    """Plain data describing `value`; never raises."""
    try:
        return _encode(value, depth)
    except BaseException as error:  # a hostile __getattr__, __len__, ... is the student's loss
        return {"type": "unreadable", "reason": f"{type(error).__name__}: {_short(error)}"}


def _encode(value, depth: builtins.int) -> builtins.dict:
    if value is None:
        return {"type": "none"}
    if isinstance(value, bool):
        return {"type": "bool", "value": bool(value)}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"type": "number", "value": float(value)}
    if isinstance(value, _Tensor):
        return _encode_tensor(value)
    if isinstance(value, numpy.ndarray | numpy.generic):
        return _encode_array(value)
    if isinstance(value, _Figure):
        return _encode_figure(value)
    if isinstance(value, str):
        return {"type": "str", "value": value[:MAX_TEXT]}
    if depth < MAX_DEPTH and isinstance(value, (tuple, list)):
        items = [encode(item, depth + 1) for item in list(value)[:MAX_ITEMS]]
        return {
            "type": type(value).__name__ if type(value) in (tuple, list) else "tuple",
            "items": items,
            "length": len(value),
        }
    if depth < MAX_DEPTH and isinstance(value, dict):
        pairs = list(value.items())[:MAX_ITEMS]
        return {"type": "dict", "items": {str(k)[:100]: encode(v, depth + 1) for k, v in pairs}}
    return {"type": "object", "class": _class_name(value)}


def _encode_tensor(value) -> builtins.dict:
    with _no_torch_function():  # a subclass's __torch_function__ must not answer for it
        grad_fn = _grad_fn(value)
        leaf = bool(_is_leaf(value))
        meta = {
            "type": "tensor",
            "dtype": str(_dtype(value)).removeprefix("torch."),
            "shape": list(_shape(value)),
            "requires_grad": bool(_requires_grad(value)),
            "is_leaf": leaf,
            "grad_fn": type(grad_fn).__name__ if grad_fn is not None else None,
            # .grad of a non-leaf is always None (and reading it warns): only leaves are asked
            "has_grad": bool(leaf and _grad(value) is not None),
            "subclass": type(value) is not _Tensor,
        }
        if _is_complex(value) or _numel(value) > MAX_ELEMENTS:
            return meta | {"data": None}
        flat = _reshape(_to(_detach(value), device="cpu", dtype=torch.float64), (-1,))
        return meta | {"data": _tolist(flat)}


def _encode_array(value) -> builtins.dict:
    array = _asarray(value)
    meta = {"type": "ndarray", "dtype": str(array.dtype), "shape": list(array.shape)}
    if array.dtype.kind not in "biuf" or array.size > MAX_ELEMENTS:
        return meta | {"data": None}
    return meta | {"data": array.astype(numpy.float64).reshape(-1).tolist()}


def _encode_figure(figure) -> builtins.dict:
    axes = []
    for ax in list(figure.get_axes())[:MAX_ITEMS]:
        lines = []
        for line in list(ax.get_lines())[:MAX_ITEMS]:
            xy = _asarray(line.get_xydata(), dtype=numpy.float64)
            lines.append(
                {
                    "label": str(line.get_label())[:200],
                    "x": xy[:MAX_ELEMENTS, 0].tolist() if xy.ndim == 2 else [],
                    "y": xy[:MAX_ELEMENTS, 1].tolist() if xy.ndim == 2 else [],
                    "style": _style(line),
                }
            )
        axes.append(
            {
                "xlabel": str(ax.get_xlabel())[:200],
                "ylabel": str(ax.get_ylabel())[:200],
                "title": str(ax.get_title())[:200],
                "lines": lines,
                "legend": _legend(ax.get_legend()),
            }
        )
    figure_legends = [_legend(legend) for legend in list(figure.legends)[:MAX_ITEMS]]
    return {"type": "figure", "axes": axes, "figure_legends": figure_legends}


def _legend(legend) -> builtins.list[builtins.dict] | None:
    """Each legend entry: its text and the style of the handle drawn next to it, so the
    grader can tell which curve an entry names (the handles are copies, not the lines)."""
    if legend is None:
        return None
    texts = list(legend.get_texts())[:MAX_ITEMS]
    handles = list(getattr(legend, "legend_handles", None) or [])[: len(texts)]
    handles += [None] * (len(texts) - len(handles))
    return [
        {"text": str(text.get_text())[:200], "style": _style(handle) if handle else None}
        for text, handle in zip(texts, handles, strict=True)
    ]


def _style(artist) -> builtins.list | None:
    """Colour (RGBA), line style and marker of a line or a legend handle: what tells curves
    apart on the page."""
    try:
        colour = [round(float(c), 3) for c in _to_rgba(artist.get_color())]
        return [colour, str(artist.get_linestyle()), str(artist.get_marker())]
    except BaseException:
        return None


def _class_name(value) -> builtins.str:
    cls = type(value)
    return f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', '?')}"[:200]


def _short(error: BaseException) -> builtins.str:
    try:
        return str(error)[:MAX_TEXT]
    except BaseException:
        return "(the exception could not be printed)"
