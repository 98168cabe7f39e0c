"""`python -m benchmarks.dask_scaling` runs end to end on a tiny class: the local pool and a
local Dask cluster grade it, and their grades.csv are identical (exit 0). No timing is
asserted: the machine running the tests may be slow or busy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # two graders' warm-ups and a cluster: a minute or more
pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]


def test_both_paths_grade_alike_and_the_overhead_is_printed() -> None:
    command = [sys.executable, "-m", "benchmarks.dask_scaling", "--students", "4"]
    command += ["--workers", "1"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "grades.csv identical: yes" in done.stdout
    assert re.search(r"Dask overhead +[+-]\d+\.\d %", done.stdout), done.stdout
