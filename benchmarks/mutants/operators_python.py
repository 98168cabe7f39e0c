"""Mutation operators on plain Python: operators, constants, arguments, returns, branches.

Each one is `operator(node, where) -> [(variant, apply)]` (see `sites`); an empty list means
the node is not a site of this operator.
"""

from __future__ import annotations

import ast

from benchmarks.mutants.operators_structure import STRUCTURE_OPERATORS
from benchmarks.mutants.sites import Operator, Where

ARITH = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult,),
    ast.Pow: (ast.Mult,),
    ast.MatMult: (ast.Mult,),
}
NOT_COMMUTATIVE = (ast.Sub, ast.Div, ast.Pow, ast.MatMult)
COMPARE = {
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
LABELS = ("function", "derivative")  # plot_derivative's two legend entries


def arith(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, (ast.BinOp, ast.AugAssign)):
        return []
    return [
        (f"{type(node.op).__name__}_to_{new.__name__}", _set_op(new))
        for new in ARITH.get(type(node.op), ())
    ]


def _set_op(new: type):
    def apply(node: ast.AST, _where: Where) -> ast.AST:
        node.op = new()
        return node

    return apply


def operand_swap(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, NOT_COMMUTATIVE):
        return []

    def apply(n: ast.BinOp, _w: Where) -> ast.AST:
        n.left, n.right = n.right, n.left
        return n

    return [("", apply)]


def compare(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return []
    new = COMPARE.get(type(node.ops[0]))
    if new is None:
        return []

    def apply(n: ast.Compare, _w: Where) -> ast.AST:
        n.ops = [new()]
        return n

    return [(f"{type(node.ops[0]).__name__}_to_{new.__name__}", apply)]


def constant(node: ast.AST, where: Where) -> list:
    """Numbers become 0, 1, 2, n+1, n-1, 2n; booleans flip (requires_grad flags are left to
    `requires_grad_flip`); the plot's labels are left to `label_swap`; other strings empty."""
    if not isinstance(node, ast.Constant) or where.is_docstring(node):
        return []
    value = node.value
    if isinstance(value, bool):
        parent = where.parent(node)
        if isinstance(parent, ast.keyword) and parent.arg == "requires_grad":
            return []
        return [(f"{value}_to_{not value}", _set_constant(not value))]
    if isinstance(value, (int, float)):
        options = dict.fromkeys([0, 1, 2, value + 1, value - 1, value * 2])
        return [(f"{value}_to_{new}", _set_constant(new)) for new in options if new != value]
    if isinstance(value, str) and value and value not in LABELS and not _dict_key(node, where):
        return [("emptied", _set_constant(""))]
    return []


def _dict_key(node: ast.AST, where: Where) -> bool:
    parent = where.parent(node)
    return isinstance(parent, ast.Dict) and any(key is node for key in parent.keys)


def _set_constant(value: object):
    def apply(node: ast.Constant, _where: Where) -> ast.AST:
        return ast.Constant(value)

    return apply


def args_swap(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.Call) or len(node.args) < 2:
        return []
    return [(f"{i}_{i + 1}", _swap("args", i)) for i in range(len(node.args) - 1)]


def arg_dropped(node: ast.AST, _where: Where) -> list:
    """A call with two or more positional arguments loses one (`ax.plot(x, y)` -> `ax.plot(y)`)."""
    if not isinstance(node, ast.Call) or len(node.args) < 2:
        return []
    return [(f"arg{i}", _drop_arg(i)) for i in range(len(node.args))]


def _drop_arg(i: int):
    def apply(node: ast.Call, _where: Where) -> ast.AST:
        del node.args[i]
        return node

    return apply


def _swap(field: str, i: int):
    def apply(node: ast.AST, _where: Where) -> ast.AST:
        items = getattr(node, field)
        items[i], items[i + 1] = items[i + 1], items[i]
        return node

    return apply


def return_swap(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.Return) or not isinstance(node.value, ast.Tuple):
        return []
    return [(f"{i}_{i + 1}", _swap_tuple(i)) for i in range(len(node.value.elts) - 1)]


def _swap_tuple(i: int):
    def apply(node: ast.Return, where: Where) -> ast.AST:
        _swap("elts", i)(node.value, where)
        return node

    return apply


def return_drop(node: ast.AST, _where: Where) -> list:
    """A returned tuple loses one item; a single returned value becomes None."""
    if not isinstance(node, ast.Return) or node.value is None:
        return []
    if not isinstance(node.value, ast.Tuple):
        return [("none", lambda n, _w: ast.Return(ast.Constant(None)))]
    return [(f"item{i}", _drop_item(i)) for i in range(len(node.value.elts))]


def _drop_item(i: int):
    def apply(node: ast.Return, _where: Where) -> ast.AST:
        del node.value.elts[i]
        return node

    return apply


def unpack_swap(node: ast.AST, _where: Where) -> list:
    """`a, b = ...` unpacks into swapped names."""
    if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)):
        return []
    count = len(node.targets[0].elts)
    return [(f"{i}_{i + 1}", _swap_target(i)) for i in range(count - 1)]


def _swap_target(i: int):
    def apply(node: ast.Assign, where: Where) -> ast.AST:
        _swap("elts", i)(node.targets[0], where)
        return node

    return apply


def ifexp_swap(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.IfExp):
        return []
    return [("", lambda n, _w: ast.IfExp(n.test, n.orelse, n.body))]


PYTHON_OPERATORS: dict[str, Operator] = {
    "arith": arith,
    "operand_swap": operand_swap,
    "compare": compare,
    "constant": constant,
    "args_swap": args_swap,
    "arg_dropped": arg_dropped,
    "return_swap": return_swap,
    "return_drop": return_drop,
    "unpack_swap": unpack_swap,
    "ifexp_swap": ifexp_swap,
} | STRUCTURE_OPERATORS
