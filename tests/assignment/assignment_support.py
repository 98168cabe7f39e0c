"""Paths and helpers shared by the tests of the `derivatives` assignment (fixtures: conftest.py).

Named uniquely, not `helpers`, because the test folders have no __init__.py and share sys.path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "derivatives"
NOTEBOOKS = ("derivatives", "partial_derivatives", "custom_backward")
SOURCE = ROOT / "source" / ASSIGNMENT
RELEASE = ROOT / "release" / ASSIGNMENT
SAMPLES = ROOT / "samples"

if str(ROOT) not in sys.path:  # `pytest` run without installing the project
    sys.path.insert(0, str(ROOT))


def tool_env() -> dict[str, str]:
    """The environment for nbgrader and kernels: this interpreter's bin first on PATH.

    nbgrader runs `alembic`, and the `python3` kernelspec runs `python`, both found on PATH.
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader(*args: str, cwd: Path) -> str:
    """Run `nbgrader ARGS` in cwd; return its stdout and stderr; fail the test if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{output[-3000:]}"
    return output


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    """The cell's nbgrader metadata; {} for a cell nbgrader does not know."""
    return cell.metadata.get("nbgrader", {})
