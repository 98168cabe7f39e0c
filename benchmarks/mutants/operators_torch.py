"""Mutation operators for autograd mistakes: upstream gradients, detaching, reductions,
flags, in-place operations, `needs_input_grad`, plot labels.
"""

from __future__ import annotations

import ast

from benchmarks.mutants.operators_state import STATE_OPERATORS, replace_in
from benchmarks.mutants.sites import (
    Operator,
    Where,
    expr,
    is_name,
    method_call,
    params,
)

IN_PLACE = {ast.Add: "add_", ast.Sub: "sub_", ast.Mult: "mul_", ast.Div: "div_", ast.Pow: "pow_"}
LABELS = {"function": "derivative", "derivative": "function"}


def _mentions_grad_output(node: ast.AST) -> bool:
    return is_name(node, "grad_output") or (
        isinstance(node, ast.Attribute) and is_name(node.value, "grad_output")
    )


def grad_output_dropped(node: ast.AST, _where: Where) -> list:
    """`grad_output * local` (or `@`) becomes `local`: the upstream gradient is ignored."""
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, (ast.Mult, ast.MatMult)):
        return []
    if _mentions_grad_output(node.left):
        return [("", lambda n, _w: n.right)]
    if _mentions_grad_output(node.right):
        return [("", lambda n, _w: n.left)]
    return []


def grad_output_ones(node: ast.AST, _where: Where) -> list:
    """Every use of `grad_output` in a backward becomes `torch.ones_like(grad_output)`."""
    if not isinstance(node, ast.FunctionDef) or "grad_output" not in params(node):
        return []

    def apply(function: ast.FunctionDef, where: Where) -> ast.AST:
        for name in [n for n in ast.walk(function) if is_name(n, "grad_output")]:
            if isinstance(name.ctx, ast.Load):
                replace_in(function, name, expr("torch.ones_like(grad_output)"))
        return function

    return [("", apply)]


def method_removed(*methods: str):
    """`x.<method>(...)` becomes `x`."""

    def operator(node: ast.AST, _where: Where) -> list:
        if not method_call(node, *methods):
            return []
        return [(node.func.attr, lambda n, _w: n.func.value)]

    return operator


def copy_removed(node: ast.AST, _where: Where) -> list:
    """`x.detach().clone()` becomes `x`: the caller's own tensor is used (and changed)."""
    if not (method_call(node, "clone") and method_call(node.func.value, "detach")):
        return []
    return [("", lambda n, _w: n.func.value.func.value)]


def sum_to_mean(node: ast.AST, _where: Where) -> list:
    if not method_call(node, "sum"):
        return []

    def apply(n: ast.Call, _w: Where) -> ast.AST:
        n.func.attr = "mean"
        return n

    return [("", apply)]


def attribute_removed(*attributes: str):
    """`x.<attribute>` (not a call) becomes `x`."""

    def operator(node: ast.AST, where: Where) -> list:
        if not isinstance(node, ast.Attribute) or node.attr not in attributes:
            return []
        parent = where.parent(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            return []
        return [(node.attr, lambda n, _w: n.value)]

    return operator


def requires_grad_flip(node: ast.AST, where: Where) -> list:
    """`requires_grad=True` <-> False, and `.requires_grad_(True)` <-> False."""
    parent = where.parent(node)
    flag = isinstance(node, ast.Constant) and isinstance(node.value, bool)
    in_keyword = isinstance(parent, ast.keyword) and parent.arg == "requires_grad"
    in_method = method_call(parent, "requires_grad_")
    if not flag or not (in_keyword or in_method):
        return []
    return [(f"to_{not node.value}", lambda n, _w: ast.Constant(not n.value))]


def inplace_method(node: ast.AST, _where: Where) -> list:
    """`a * b` becomes `a.mul_(b)` when `a` is a variable: it changes a tensor in place
    (an input of the caller, a saved tensor, `grad_output`)."""
    if not isinstance(node, ast.BinOp) or not isinstance(node.left, ast.Name):
        return []
    method = IN_PLACE.get(type(node.op))
    if method is None:
        return []

    def apply(n: ast.BinOp, _w: Where) -> ast.AST:
        return ast.Call(ast.Attribute(n.left, method, ast.Load()), [n.right], [])

    return [(method, apply)]


def label_swap(node: ast.AST, _where: Where) -> list:
    if not (isinstance(node, ast.Constant) and node.value in LABELS):
        return []
    return [(f"{node.value}_to_{LABELS[node.value]}", lambda n, _w: ast.Constant(LABELS[n.value]))]


def needs_input_grad_misused(node: ast.AST, where: Where) -> list:
    """In a backward that returns named gradients, `g = <expr>` becomes
    `g = <expr> if ctx.needs_input_grad[<the next input's index>] else None`: right only when
    every input requires grad."""
    function = where.function(node)
    if function is None or function.name != "backward" or not isinstance(node, ast.Assign):
        return []
    returned = [n for n in ast.walk(function) if isinstance(n, ast.Return)]
    if len(returned) != 1 or not isinstance(returned[0].value, ast.Tuple):
        return []
    names = [e.id if isinstance(e, ast.Name) else None for e in returned[0].value.elts]
    target = node.targets[0]
    if not isinstance(target, ast.Name) or target.id not in names:
        return []
    wrong = (names.index(target.id) + 1) % len(names)

    def apply(assign: ast.Assign, _w: Where) -> ast.AST:
        guarded = expr(f"None if ctx.needs_input_grad[{wrong}] else None")
        guarded.body = assign.value
        assign.value = guarded
        return assign

    return [(f"index{wrong}", apply)]


def legend_texts_swapped(node: ast.AST, _where: Where) -> list:
    """`ax.legend()` becomes `ax.legend(["derivative", "function"])`: the legend pairs its
    texts with the lines in order, so each entry names the other curve."""
    if not (method_call(node, "legend") and not node.args and not node.keywords):
        return []

    def apply(call: ast.Call, _w: Where) -> ast.AST:
        call.args = [expr(repr([LABELS["function"], LABELS["derivative"]]))]
        return call

    return [("", apply)]


SCALE = 1.001  # ten times the grader's relative tolerance


def result_scaled(node: ast.AST, _where: Where) -> list:
    """A returned value (each item of a returned tuple) is off by 0.1 %: a slightly wrong
    formula, which values within the tolerances would let through."""
    if not isinstance(node, ast.Return) or node.value is None or is_name(node.value, "fig"):
        return []
    items = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
    return [(f"item{i}" if len(items) > 1 else "", _scale(i)) for i in range(len(items))]


def _scale(i: int):
    def apply(ret: ast.Return, _w: Where) -> ast.AST:
        holder = ret.value.elts if isinstance(ret.value, ast.Tuple) else None
        target = holder[i] if holder is not None else ret.value
        scaled = ast.BinOp(target, ast.Mult(), ast.Constant(SCALE))
        if holder is not None:
            holder[i] = scaled
        else:
            ret.value = scaled
        return ret

    return apply


TORCH_OPERATORS: dict[str, Operator] = {
    "grad_output_dropped": grad_output_dropped,
    "grad_output_ones": grad_output_ones,
    "detach_removed": method_removed("detach"),
    "sum_removed": method_removed("sum"),
    "sum_to_mean": sum_to_mean,
    "clone_removed": method_removed("clone"),
    "copy_removed": copy_removed,
    "requires_grad_call_removed": method_removed("requires_grad_"),
    "transpose_removed": attribute_removed("T"),
    "grad_attribute_removed": attribute_removed("grad"),
    "requires_grad_flip": requires_grad_flip,
    "inplace_method": inplace_method,
    "label_swap": label_swap,
    "legend_texts_swapped": legend_texts_swapped,
    "needs_input_grad_misused": needs_input_grad_misused,
    "result_scaled": result_scaled,
} | STATE_OPERATORS
