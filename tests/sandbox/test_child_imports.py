"""The child side of the sandbox never imports the rubric, the references or the comparisons.

Whatever is imported in the warm process is in every child, next to student code, which can
read any module through `sys.modules`. So the warm process's imports are checked here, fast,
in a fresh interpreter started as the grader starts it (`python -I`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sandboxed_notebook import read_json

import autograders
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.limits import Limits

ROOT = Path(autograders.__file__).resolve().parents[1]
# Grader-side modules that hold expected values, references, the course secret or the rubric.
FORBIDDEN = (
    "autograders.problems",
    "autograders.references",
    "autograders.compare",
    "autograders.hints",
    "autograders.pipeline",
    "autograders.grade",
    "autograders.rubric",
    "autograders.course_secret",
    "autograders.static",
)
# What the warm process imports before it forks (see zygote.main and zygote.warm_up).
CHILD_SIDE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from autograders.sandbox.child import zygote
from autograders.sandbox.child import confine, encode, landlock, probes, seccomp, serve, shell
print(json.dumps(sorted(name for name in sys.modules if name.startswith("autograders"))))
"""


def test_the_child_side_imports_nothing_of_the_grader() -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-c", CHILD_SIDE, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    imported = json.loads(done.stdout.splitlines()[-1])
    assert "autograders.sandbox.child.serve" in imported, imported  # the check saw the child side
    leaked = [name for name in imported if name.startswith(FORBIDDEN)]
    assert leaked == [], leaked
    assert all(name.startswith("autograders.sandbox") for name in imported[1:]), imported


@pytest.mark.slow
def test_a_notebook_finds_none_of_the_grader_in_sys_modules() -> None:
    """The same, seen from a notebook cell in a real sandboxed child."""
    cell = "import json, sys\nreport = json.dumps([m for m in sys.modules if 'autograders' in m])"
    with Sandbox(Limits(), workers=1) as sandbox:
        imported = read_json(sandbox, [cell])
    assert "autograders.sandbox.child.serve" in imported, imported
    assert [name for name in imported if name.startswith(FORBIDDEN)] == []
