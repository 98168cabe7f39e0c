"""Mutation operators on statements and names: branches, defaults, deleted calls, dropped
keywords and conversions, augmented assignments, variables read in place of others.
"""

from __future__ import annotations

import ast

from benchmarks.mutants.sites import Operator, Where, local_names, params


def augmented(node: ast.AST, _where: Where) -> list:
    """`t = t + r` becomes `t += r`: in place on whatever tensor `t` holds."""
    if not (
        isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.BinOp)
        and isinstance(node.value.left, ast.Name)
        and node.value.left.id == node.targets[0].id
    ):
        return []
    return [("", lambda n, _w: ast.AugAssign(n.targets[0], n.value.op, n.value.right))]


def if_branch(node: ast.AST, _where: Where) -> list:
    """An `if` statement whose body always runs, or never runs."""
    if not isinstance(node, ast.If):
        return []
    return [
        ("always", lambda n, _w: ast.If(ast.Constant(True), n.body, n.orelse)),
        ("never", lambda n, _w: ast.If(ast.Constant(False), n.body, n.orelse)),
    ]


def default_removed(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.FunctionDef) or not node.args.defaults:
        return []

    def apply(n: ast.FunctionDef, _w: Where) -> ast.AST:
        n.args.defaults = []
        return n

    return [("", apply)]


def statement_deleted(node: ast.AST, where: Where) -> list:
    """An expression statement (a call made for its effect) becomes `pass`."""
    if not isinstance(node, ast.Expr) or where.is_docstring(node.value):
        return []
    return [("", lambda n, _w: ast.Pass())]


def keyword_removed(node: ast.AST, _where: Where) -> list:
    if not isinstance(node, ast.Call):
        return []
    return [(kw.arg or "kwargs", _drop_keyword(i)) for i, kw in enumerate(node.keywords)]


def _drop_keyword(i: int):
    def apply(node: ast.Call, _where: Where) -> ast.AST:
        del node.keywords[i]
        return node

    return apply


def conversion_removed(node: ast.AST, _where: Where) -> list:
    """`float(x)` or `int(x)` becomes `x`."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("float", "int")
        and len(node.args) == 1
    ):
        return []
    return [(node.func.id, lambda n, _w: n.args[0])]


def name_replaced(node: ast.AST, where: Where) -> list:
    """A variable read inside a function becomes another local of that function (one, chosen
    by the seed for this site, so the count stays proportional to the code)."""
    if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load) or node.id == "ctx":
        return []
    function = where.function(node)
    names = [n for n in local_names(function) if n not in (node.id, "ctx")]
    if function is None or node.id not in local_names(function) or not names:
        return []
    site = f"{function.name}:{node.lineno}:{node.col_offset}"
    other = where.rng(site).choice(names)
    return [(f"{node.id}_to_{other}", lambda n, _w: ast.Name(other, ast.Load()))]


def argument_off_by_one(node: ast.AST, where: Where) -> list:
    """A parameter passed on to a call (`steps`, `x0`, `start`) is passed as `p + 1`."""
    function = where.function(node)
    parent = where.parent(node)
    if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
        return []
    if node.id in ("f", "ctx") or node.id not in params(function):
        return []
    if not (isinstance(parent, ast.Call) and any(arg is node for arg in parent.args)):
        return []
    return [(node.id, lambda n, _w: ast.BinOp(n, ast.Add(), ast.Constant(1)))]


STRUCTURE_OPERATORS: dict[str, Operator] = {
    "augmented": augmented,
    "if_branch": if_branch,
    "default_removed": default_removed,
    "statement_deleted": statement_deleted,
    "keyword_removed": keyword_removed,
    "conversion_removed": conversion_removed,
    "name_replaced": name_replaced,
    "argument_off_by_one": argument_off_by_one,
}
