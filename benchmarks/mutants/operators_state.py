"""Mutation operators for state: what `backward` needs kept outside `ctx`, tensors, results
and figures kept in a module-level dict across calls (stale values, `.grad` never reset).
"""

from __future__ import annotations

import ast

from benchmarks.mutants.sites import Operator, Where, expr, is_name, keep, method_call, params

STATE = "_STATE"  # the module-level dict that the state operators add


def replace_in(root: ast.AST, old: ast.AST, new: ast.AST) -> None:
    """Put new where old is, anywhere under root."""
    for parent in ast.walk(root):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list) and any(item is old for item in value):
                setattr(parent, field, [new if item is old else item for item in value])


def _save_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and method_call(node.value, "save_for_backward")
        and is_name(node.value.func.value, "ctx")
    )


def ctx_state_moved(target: str):
    """`ctx.save_for_backward(...)` stores on the class (`target="class"`) or in a module
    global (`"global"`), and `ctx.saved_tensors` reads it back from there: right for one
    call at a time, wrong when calls overlap."""

    def operator(node: ast.AST, where: Where) -> list:
        if not _save_call(node) or where.enclosing_class(node) is None:
            return []

        def apply(statement: ast.Expr, w: Where) -> ast.AST:
            cls = w.enclosing_class(statement)
            store = f"{cls.name}._saved" if target == "class" else "_SAVED"
            saved = ast.Tuple(list(statement.value.args), ast.Load())
            reads = [n for n in ast.walk(cls) if isinstance(n, ast.Attribute)]
            for read in [n for n in reads if n.attr == "saved_tensors"]:
                replace_in(cls, read, expr(store))
            assign = ast.parse(f"{store} = None").body[0]
            assign.value = saved
            body = w.function(statement).body
            body[body.index(statement)] = assign
            if target == "global":
                body.insert(0, ast.Global(["_SAVED"]))
            return keep(statement, w)  # replaced above: the insertion moved the indexes

        return [("", apply)]

    return operator


def _tensor_assignment(node: ast.AST) -> bool:
    """`name = <a call that makes a tensor requiring grad>` inside a function."""
    if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
        return False
    calls = [n for n in ast.walk(node.value) if isinstance(n, ast.Call)]
    flagged = any(kw.arg == "requires_grad" for call in calls for kw in call.keywords)
    return flagged or any(method_call(call, "requires_grad_") for call in calls)


def state_kept(keyed: bool):
    """The tensor that requires grad is made once and kept in a module-level dict: under one
    key for every call (`keyed=False`: stale values, accumulating `.grad`), or keyed on the
    call's arguments other than the function (`keyed=True`: right for new arguments, while
    `.grad` is never reset for repeated ones)."""

    def operator(node: ast.AST, where: Where) -> list:
        if not _tensor_assignment(node) or where.function(node) is None:
            return []

        def apply(assign: ast.Assign, w: Where) -> ast.AST:
            name = assign.targets[0].id
            function = w.function(assign)
            key = _key(name, function, assign.value) if keyed else f"({name!r},)"
            assign.value = _kept(assign.value, key, w)
            return keep(assign, w)

        return [("keyed_on_args" if keyed else "", apply)]

    return operator


def _kept(value: ast.expr, key: str, w: Where) -> ast.expr:
    """`_STATE.setdefault(key, value)`, with `_STATE = {}` added at the top of the cell."""
    call = expr(f"{STATE}.setdefault({key}, None)")
    call.args[1] = value
    if not any(is_name(t, STATE) for s in w.tree.body for t in getattr(s, "targets", [])):
        w.tree.body.insert(0, ast.parse(f"{STATE} = {{}}").body[0])
    return call


def _key(name: str, function: ast.FunctionDef, used: ast.AST | None) -> str:
    """A tuple literal: name, then the function's parameters (f and ctx excepted) that
    `used` reads (all of them when used is None)."""
    names = {n.id for n in ast.walk(used) if isinstance(n, ast.Name)} if used else None
    keys = [p for p in params(function) if p not in ("f", "ctx") and (names is None or p in names)]
    return f"({', '.join([repr(name)] + keys)},)"


def result_cached(node: ast.AST, where: Where) -> list:
    """`return E` becomes `return _STATE.setdefault((params but f), E)`: the first result for
    the same arguments comes back even when the function `f` differs."""
    function = where.function(node)
    if not isinstance(node, ast.Return) or node.value is None or function is None:
        return []
    if "ctx" in params(function) or "f" not in params(function):
        return []

    def apply(ret: ast.Return, w: Where) -> ast.AST:
        ret.value = _kept(ret.value, _key("result", w.function(ret), None), w)
        return keep(ret, w)

    return [("", apply)]


def figure_reused(node: ast.AST, where: Where) -> list:
    """`fig, ax = plt.subplots()` is made once and drawn on again at every call."""
    if not (isinstance(node, ast.Assign) and method_call(node.value, "subplots", "figure")):
        return []
    if where.function(node) is None:
        return []

    def apply(assign: ast.Assign, w: Where) -> ast.AST:
        assign.value = _kept(assign.value, "('figure',)", w)
        return keep(assign, w)

    return [("", apply)]


STATE_OPERATORS: dict[str, Operator] = {
    "ctx_state_to_class": ctx_state_moved("class"),
    "ctx_state_to_global": ctx_state_moved("global"),
    "module_tensor_reused": state_kept(keyed=False),
    "grad_not_reset": state_kept(keyed=True),
    "result_cached": result_cached,
    "figure_reused": figure_reused,
}
