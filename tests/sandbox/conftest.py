"""Fixtures for the sandbox tests; the fork-and-report helpers are in `forked`."""

from __future__ import annotations

from pathlib import Path

import pytest
from forked import LIMITS

from autograders.sandbox.host.cgroups import ProcessCaps


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def caps():
    with ProcessCaps(1, processes=LIMITS.processes) as made:
        if made.reason is not None:
            pytest.skip(made.reason)
        yield made
