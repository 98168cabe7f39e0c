"""Facts the grader reads from a submission's source text, in the grading process.

Some properties cannot be trusted when the student's own process reports them (see
`sandbox/child/probes.py`): that `Square` is a class deriving from `torch.autograd.Function`
with its own `forward` and `backward`, for instance. Those are read here from the code cells'
text with `ast` (parsing runs nothing), after IPython's own text transforms (magics, `!`
lines).

A static probe is answered here and never sent to the child; its answer has the same shape as
a child's (`{"ok": True, "value": ...}`), so the judges read both alike.
"""

from __future__ import annotations

import ast
import functools

from IPython.core.inputtransformer2 import TransformerManager

STATIC_OPS = frozenset({"class_facts"})
# How the base class may be spelled: `torch.autograd.Function` or imported from there.
FUNCTION_BASES = frozenset(
    {"torch.autograd.Function", "autograd.Function", "Function", "torch.autograd.function.Function"}
)


def is_static(op: dict) -> bool:
    return op.get("op") in STATIC_OPS


def child_probes(probes: list[dict]) -> list[dict]:
    """The probes the child answers (every one but the static ones), in order."""
    return [probe for probe in probes if not is_static(probe)]


def merged_answers(probes: list[dict], child_answers: object, sources: list[str]) -> object:
    """The answers in the order of `probes`: the child's answers to `child_probes(probes)`,
    with the static ones answered here and put in their places. Anything but a list from the
    child, or a list of the wrong length, is passed on for the judge to refuse."""
    if not isinstance(child_answers, list):
        return child_answers
    from_child = iter(child_answers)
    answers = [
        answer(probe, sources) if is_static(probe) else next(from_child, None) for probe in probes
    ]
    return answers if next(from_child, None) is None else None


def class_facts(name: str) -> dict:
    """The probe: what the cells' text says about the last `class name(...)` statement."""
    return {"op": "class_facts", "name": name}


def answer(op: dict, sources: list[str]) -> dict:
    """The answer to a static probe, from the code cells' sources in notebook order."""
    if op.get("op") != "class_facts":
        raise ValueError(f"not a static probe: {op.get('op')!r}")
    found = last_class(sources, str(op["name"]))
    if found is None:
        return {"ok": True, "value": {"type": "class_facts", "defined": False}}
    return {"ok": True, "value": {"type": "class_facts", "defined": True} | describe_class(found)}


def last_class(sources: list[str], name: str) -> ast.ClassDef | None:
    """The last top-level `class name` statement of the notebook; later ones replace earlier
    ones when the cells run, as in Jupyter."""
    found = None
    for source in sources:
        tree = _parse(source)
        for node in tree.body if tree else []:
            if isinstance(node, ast.ClassDef) and node.name == name:
                found = node
    return found


def describe_class(node: ast.ClassDef) -> dict:
    methods = {
        item.name: _is_static_method(item)
        for item in node.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    bases = [ast.unparse(base) for base in node.bases]
    return {
        "bases": bases,
        "derives_from_function": any(base in FUNCTION_BASES for base in bases),
        "methods": sorted(methods),
        "static_methods": sorted(name for name, static in methods.items() if static),
    }


def _is_static_method(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        ast.unparse(d) in ("staticmethod", "builtins.staticmethod") for d in node.decorator_list
    )


CACHED_SOURCE_CHARS = 4096  # larger cells are parsed every time: a cache of hostile
# megabyte-sized cells would keep their trees alive in a long-running grader (`watch`)


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree after IPython's transforms; None when it does not parse.

    Cached for cells of ordinary size: every check of a notebook parses the same cells again,
    and the release's cells are the same for every student (IPython's transforms cost 1-2 ms
    a cell). The trees are only read, never changed, so sharing them is safe."""
    if len(source) <= CACHED_SOURCE_CHARS:
        return _parse_cached(source)
    return _parse_uncached(source)


@functools.lru_cache(maxsize=512)
def _parse_cached(source: str) -> ast.Module | None:
    return _parse_uncached(source)


def _parse_uncached(source: str) -> ast.Module | None:
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
