"""Run notebook code in a real Jupyter kernel, as JupyterLab runs it: ipykernel started by
nbclient, matplotlib on ipykernel's default inline backend, the notebook's folder as the
working folder. Shared by tests/fidelity and tests/differential.

The grader's questions are asked in the kernel with the sandbox child's own code
(`autograders.sandbox.child.ask_check`, which calls `probes.run` on `get_ipython().user_ns`),
one notebook cell per check, so a check ends as a cell ends in Jupyter. The answers come back
as JSON in a display output of their own type, apart from anything the student prints.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

KERNEL_NAME = "python3"  # the virtual environment's own ipykernel (jupyter kernelspec list)
ANSWERS_MIME = "application/x-autograders-answers+json"
CELL_TIMEOUT = 60  # seconds; the corpus used here has no hanging submission

_ASK = """\
def _ask_like_the_grader(ops_json):
    import json

    from IPython.display import display

    from autograders.sandbox.child.serve import ask_check

    answers = ask_check(get_ipython().user_ns, json.loads(ops_json))
    display({{{mime!r}: json.dumps(answers, default=str)}}, raw=True)


_ask_like_the_grader({ops!r})
del _ask_like_the_grader
"""


def ask_cell(ops: list[dict]) -> str:
    """The source of a cell that asks one check's probes and displays the answers."""
    return _ASK.format(mime=ANSWERS_MIME, ops=json.dumps(ops))


def notebook(sources: list[str]) -> nbformat.NotebookNode:
    """A notebook of code cells with these sources."""
    document = nbformat.v4.new_notebook()
    document.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    document.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3"}
    return document


def execute(
    document: nbformat.NotebookNode, folder: Path, manager: KernelManager | None = None
) -> nbformat.NotebookNode:
    """Run every cell, going on after errors (as nbgrader does), in a fresh kernel started in
    `folder`, or in `manager`'s running kernel (left running)."""
    client = NotebookClient(
        document,
        km=manager,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute()
    finally:
        if manager is not None and client.kc is not None:
            client.kc.stop_channels()  # the kernel stays; this client's sockets go
    return document


def error_of(cell: nbformat.NotebookNode) -> str | None:
    """The exception type a cell ended with, or None when it ran to the end."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename"))
    return None


def images_of(cell: nbformat.NotebookNode) -> int:
    """How many PNG or JPEG images the cell's outputs hold (figures it showed)."""
    return sum(
        any(mime in output.get("data", {}) for mime in ("image/png", "image/jpeg"))
        for output in cell.get("outputs", [])
    )


def error_text(cell: nbformat.NotebookNode) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {output.get('evalue')}"[:400]
    return ""


def answers_of(cell: nbformat.NotebookNode) -> list | None:
    """The answers an `ask_cell` displayed, or None when it displayed none."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if ANSWERS_MIME in data:
            payload = data[ANSWERS_MIME]
            return json.loads(payload if isinstance(payload, str) else json.dumps(payload))
    return None


def differences(kernel: object, sandbox: object, where: str = "") -> list[str]:
    """Where two plain-data answers differ; numbers are compared with a tolerance (the two
    runs use torch with different thread counts), NaN equals NaN."""
    if isinstance(kernel, bool) or isinstance(sandbox, bool):
        return [] if kernel == sandbox else [f"{where}: {kernel!r} != {sandbox!r}"]
    if isinstance(kernel, int | float) and isinstance(sandbox, int | float):
        if math.isnan(kernel) and math.isnan(sandbox):
            return []
        if math.isclose(kernel, sandbox, rel_tol=1e-6, abs_tol=1e-9):
            return []
        return [f"{where}: {kernel!r} != {sandbox!r}"]
    if isinstance(kernel, dict) and isinstance(sandbox, dict):
        if set(kernel) != set(sandbox):
            return [f"{where}: keys {sorted(kernel)} != {sorted(sandbox)}"]
        return [
            d for key in kernel for d in differences(kernel[key], sandbox[key], f"{where}.{key}")
        ]
    if isinstance(kernel, list) and isinstance(sandbox, list):
        if len(kernel) != len(sandbox):
            return [f"{where}: {len(kernel)} items != {len(sandbox)}"]
        pairs = zip(kernel, sandbox, strict=True)
        return [d for i, (k, s) in enumerate(pairs) for d in differences(k, s, f"{where}[{i}]")]
    return [] if kernel == sandbox else [f"{where}: {kernel!r:.200} != {sandbox!r:.200}"]
