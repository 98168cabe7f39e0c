"""Mutation operators for autograd mistakes: upstream gradients, detaching, reductions,
flags, in-place operations, state outside `ctx`, state that survives a call, plot labels.
"""

from __future__ import annotations

import ast

from benchmarks.mutants.sites import (
    Operator,
    Where,
    expr,
    is_name,
    keep,
    method_call,
    params,
)

IN_PLACE = {ast.Add: "add_", ast.Sub: "sub_", ast.Mult: "mul_", ast.Div: "div_", ast.Pow: "pow_"}
LABELS = {"function": "derivative", "derivative": "function"}
STATE = "_STATE"  # the module-level dict that the state operators add


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
                _replace_in(function, name, expr("torch.ones_like(grad_output)"))
        return function

    return [("", apply)]


def _replace_in(root: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(root):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list) and any(item is old for item in value):
                setattr(parent, field, [new if item is old else item for item in value])


def method_removed(*methods: str):
    """`x.<method>(...)` becomes `x`."""

    def operator(node: ast.AST, _where: Where) -> list:
        if not method_call(node, *methods):
            return []
        return [(node.func.attr, lambda n, _w: n.func.value)]

    return operator


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
                _replace_in(cls, read, expr(store))
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
            arguments = [p for p in params(w.function(assign)) if p not in ("f", "ctx")]
            used = {n.id for n in ast.walk(assign.value) if isinstance(n, ast.Name)}
            key_names = [p for p in arguments if p in used] if keyed else []
            key = f"({', '.join([repr(assign.targets[0].id)] + key_names)},)"
            call = expr(f"{STATE}.setdefault({key}, None)")
            call.args[1] = assign.value
            assign.value = call
            if not any(is_name(t, STATE) for s in w.tree.body for t in getattr(s, "targets", [])):
                w.tree.body.insert(0, ast.parse(f"{STATE} = {{}}").body[0])
            return keep(assign, w)

        return [("keyed_on_args" if keyed else "", apply)]

    return operator


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


TORCH_OPERATORS: dict[str, Operator] = {
    "grad_output_dropped": grad_output_dropped,
    "grad_output_ones": grad_output_ones,
    "detach_removed": method_removed("detach"),
    "sum_removed": method_removed("sum"),
    "sum_to_mean": sum_to_mean,
    "clone_removed": method_removed("clone"),
    "requires_grad_call_removed": method_removed("requires_grad_"),
    "transpose_removed": attribute_removed("T"),
    "grad_attribute_removed": attribute_removed("grad"),
    "requires_grad_flip": requires_grad_flip,
    "inplace_method": inplace_method,
    "label_swap": label_swap,
    "ctx_state_to_class": ctx_state_moved("class"),
    "ctx_state_to_global": ctx_state_moved("global"),
    "module_tensor_reused": state_kept(keyed=False),
    "grad_not_reset": state_kept(keyed=True),
    "needs_input_grad_misused": needs_input_grad_misused,
}
