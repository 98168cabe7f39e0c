"""What a mutation operator knows about a node: its parents, its function, its class.

An operator is `operator(node, where) -> [(variant, apply), ...]`: `where` describes the
original tree; `apply(node, where)` gets the same node in a fresh copy of the tree (and a
`Where` of that copy) and returns the node to put in its place (itself when it changed the
tree in place, or None when the variant does not apply after all).
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable
from dataclasses import dataclass

Parents = dict[ast.AST, tuple[ast.AST, str, int | None]]
Apply = Callable[[ast.AST, "Where"], ast.AST | None]
Operator = Callable[[ast.AST, "Where"], list[tuple[str, Apply]]]


@dataclass(frozen=True)
class Where:
    tree: ast.Module
    parents: Parents
    seed: int

    def parent(self, node: ast.AST) -> ast.AST | None:
        found = self.parents.get(node)
        return found[0] if found else None

    def function(self, node: ast.AST) -> ast.FunctionDef | None:
        """The innermost function that holds node (node itself excluded)."""
        current = self.parent(node)
        while current is not None and not isinstance(current, ast.FunctionDef):
            current = self.parent(current)
        return current

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, ast.ClassDef):
            current = self.parent(current)
        return current

    def is_docstring(self, node: ast.AST) -> bool:
        expr = self.parent(node)
        if not isinstance(expr, ast.Expr):
            return False
        holder = self.parent(expr)
        body = getattr(holder, "body", None)
        return bool(body) and body[0] is expr

    def rng(self, key: str) -> random.Random:
        """A generator seeded by the run's seed and a site, so choices are reproducible."""
        return random.Random(f"{self.seed}:{key}")


def parent_map(tree: ast.AST) -> Parents:
    """child -> (parent, field name, index in the field's list or None)."""
    parents: Parents = {}
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if isinstance(value, list):
                for index, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        parents[child] = (parent, field, index)
            elif isinstance(value, ast.AST):
                parents[value] = (parent, field, None)
    return parents


def replace(parents: Parents, old: ast.AST, new: ast.AST) -> None:
    parent, field, index = parents[old]
    if index is None:
        setattr(parent, field, new)
    else:
        getattr(parent, field)[index] = new


def params(function: ast.FunctionDef | None) -> list[str]:
    if function is None:
        return []
    return [arg.arg for arg in function.args.posonlyargs + function.args.args]


def local_names(function: ast.FunctionDef | None) -> list[str]:
    """Parameters and assigned names of a function, in order of first appearance."""
    names = params(function)
    for node in ast.walk(function) if function is not None else []:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
    return names


def is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def method_call(node: ast.AST, *methods: str) -> bool:
    """node is `<something>.<method>(...)` for one of methods."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in methods
    )


def expr(source: str) -> ast.expr:
    return ast.parse(source, mode="eval").body


def keep(node: ast.AST, _where: Where) -> ast.AST:
    """An apply that returns the node as it is (for operators that edit elsewhere)."""
    return node
