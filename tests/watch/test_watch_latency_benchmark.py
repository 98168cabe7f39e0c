"""`python -m benchmarks.watch_latency` runs end to end on a short stream and prints its
figures. No timing is asserted: the machine running the tests may be slow or busy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a watcher's warm-up and a few seconds of submissions

REPO = Path(__file__).resolve().parents[2]


def test_prints_median_and_99th_percentile_of_every_submission() -> None:
    command = [sys.executable, "-m", "benchmarks.watch_latency", "--rate", "2", "--duration", "3"]
    command += ["--workers", "1"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "watch: 6 submissions at 2/s for 3 s" in done.stdout
    for figure in ("median", "p99"):
        assert re.search(rf"submit-to-feedback {figure} +\d+ ms", done.stdout), done.stdout
    assert re.search(r"targets (met|missed)", done.stdout)
