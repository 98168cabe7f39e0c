"""Where the kernel grants no namespaces (no root, no unprivileged user namespaces), the
grader says which protections are missing, and Landlock still holds.

See `without_namespaces.py`, run in a subprocess so that its seccomp filter (unshare(2) fails)
stays out of this test process.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from forked import needs_landlock
from without_namespaces import UNSHARE

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent


@needs_landlock
@pytest.mark.skipif(platform.machine() not in UNSHARE, reason="no filter for this machine")
def test_without_namespaces_each_missing_protection_is_named() -> None:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parents[1])])}
    done = subprocess.run(
        [sys.executable, str(HERE / "without_namespaces.py")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=True,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["network"].startswith("none"), report
    warnings = " | ".join(report["warnings"])
    for missing in ("no network namespace", "no PID namespace", "no mount namespace"):
        assert missing in warnings, warnings
    seen = report["seen"]
    assert seen["pid"] != 1 and seen["processes"] > 1, seen  # what the warnings say
    assert seen["read_grader"] == "PermissionError", seen  # Landlock holds regardless
