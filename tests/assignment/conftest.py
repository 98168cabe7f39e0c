"""Fixtures for the tests of the `derivatives` assignment.

The slow fixtures run real nbgrader in a temporary copy of the course, once per test session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from assignment_support import ASSIGNMENT, ROOT, SAMPLES, nbgrader, tool_env


@pytest.fixture(scope="session", autouse=True)
def _kernels_use_this_python() -> Iterator[None]:
    """Kernels that nbclient starts in this process find the interpreter running the tests."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = tool_env()["PATH"]
    yield
    os.environ["PATH"] = old


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary course made from nbgrader_config.py and source/, its release regenerated."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source", root / "source")
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=root)
    return root


@pytest.fixture(scope="session")
def autograded_course(course: Path) -> Path:
    """The temporary course after `nbgrader autograde` of every student in samples/submitted."""
    shutil.copytree(SAMPLES / "submitted", course / "submitted")
    nbgrader("autograde", ASSIGNMENT, "--force", cwd=course)
    return course
