"""Mutants of one answer cell: every site of every operator, deterministic, named.

An operator (see `operators_python`, `operators_torch`) looks at one node of the answer's
syntax tree and offers variants; each variant is applied to a fresh copy of the tree, so one
mutant holds exactly one change. Mutants whose code equals the solution's or an earlier
mutant's are dropped. The order (operator, then the nodes in `ast.walk` order) and the seeded
choices inside operators make the list the same on every run.
"""

from __future__ import annotations

import ast
import copy
import difflib
import random
import re
from dataclasses import dataclass

from benchmarks.mutants.operators_python import PYTHON_OPERATORS
from benchmarks.mutants.operators_torch import TORCH_OPERATORS
from benchmarks.mutants.sites import Where, parent_map, replace

OPERATORS = PYTHON_OPERATORS | TORCH_OPERATORS


@dataclass(frozen=True)
class Mutant:
    """One changed answer cell. `id` reads `question.operator-variant.L<line>c<col>`."""

    id: str
    question: str
    operator: str
    line: int  # in the solution cell, markers stripped
    source: str  # the complete new cell
    mutated_line: str  # the changed line(s) of the mutant, for the report


def mutants_of(question: str, source: str, seed: int = 0) -> list[Mutant]:
    """All mutants of the answer cell `source` of `question`, in a fixed order."""
    tree = ast.parse(source)
    base = ast.unparse(tree)
    nodes = list(ast.walk(tree))
    where = Where(tree, parent_map(tree), seed)
    seen, mutants, ids = {base}, [], set()
    for name, operator in OPERATORS.items():
        for index, node in enumerate(nodes):
            for variant, apply in operator(node, where):
                code = _apply(tree, index, apply)
                if code is None or code in seen:
                    continue
                seen.add(code)
                mutant_id = _unique(_name(question, name, variant, node), ids)
                line = getattr(node, "lineno", 0)
                mutants.append(Mutant(mutant_id, question, name, line, code, _changed(base, code)))
    return mutants


def _apply(tree: ast.Module, index: int, apply) -> str | None:
    """The source of a copy of `tree` with `apply` run on its node number `index`."""
    mutated = copy.deepcopy(tree)
    target = list(ast.walk(mutated))[index]
    parents = parent_map(mutated)
    new = apply(target, Where(mutated, parents, 0))
    if new is None:
        return None
    if new is not target:
        replace(parents, target, new)
    try:
        return ast.unparse(ast.fix_missing_locations(mutated)) + "\n"
    except (AttributeError, TypeError, ValueError):  # a variant that makes no valid tree
        return None


def _name(question: str, operator: str, variant: str, node: ast.AST) -> str:
    variant = re.sub(r"[^A-Za-z0-9_]+", "_", variant).strip("_")
    where = f"L{getattr(node, 'lineno', 0)}c{getattr(node, 'col_offset', 0)}"
    return f"{question}.{operator}{'-' + variant if variant else ''}.{where}"


def _unique(mutant_id: str, ids: set[str]) -> str:
    candidate, n = mutant_id, 2
    while candidate in ids:
        candidate, n = f"{mutant_id}-{n}", n + 1
    ids.add(candidate)
    return candidate


def _changed(base: str, code: str) -> str:
    """The mutant's new lines (or the deleted ones), stripped and joined, at most 160 chars."""
    diff = list(difflib.ndiff(base.splitlines(), code.rstrip("\n").splitlines()))
    added = [line[2:].strip() for line in diff if line.startswith("+ ") and line[2:].strip()]
    removed = [line[2:].strip() for line in diff if line.startswith("- ") and line[2:].strip()]
    text = " / ".join(added) if added else "deleted: " + " / ".join(removed)
    return text if len(text) <= 160 else text[:157] + "..."


def all_mutants(
    solutions: dict[str, str], seed: int = 0, questions: list[str] | None = None
) -> list[Mutant]:
    """The mutants of every solution (or of the given questions), question by question."""
    return [
        mutant
        for question, source in solutions.items()
        if not questions or question in questions
        for mutant in mutants_of(question, source, seed)
    ]


def sample(mutants: list[Mutant], per_question: int, seed: int) -> list[Mutant]:
    """A seeded subset: one mutant of every operator that made any, then random others until
    each question has at least `per_question`; in generation order."""
    rng = random.Random(seed)
    by_operator: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_operator.setdefault(mutant.operator, []).append(mutant)
    picked = {rng.choice(group).id for group in by_operator.values()}
    for question in dict.fromkeys(m.question for m in mutants):
        own = [m for m in mutants if m.question == question]
        rest = [m.id for m in own if m.id not in picked]
        room = per_question - sum(m.id in picked for m in own)
        picked.update(rng.sample(rest, max(0, min(room, len(rest)))))
    return [m for m in mutants if m.id in picked]
