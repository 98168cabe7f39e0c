"""The grading-speed benchmark runs end to end on a small class and reports what it promises.

One run of `python -m benchmarks.grading_speed` with the fast grader only (10 students, one
repeat, one scale): it must print the figures and the targets and write a valid JSON and PNG.
No timing is asserted: the machine running the tests may be slow or busy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # grades a whole class, three times: about 30 s

REPO = Path(__file__).resolve().parents[2]
TARGETS = {"speed", "speed_at_scale", "speed_up", "memory", "hang"}


def _no_nan(constant: str) -> None:
    raise ValueError(f"the JSON holds {constant}, which is not valid JSON")


@pytest.fixture(scope="module")
def benchmark_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("grading-speed")
    command = [
        sys.executable,
        "-m",
        "benchmarks.grading_speed",
        "--students",
        "10",
        "--repeats",
        "1",
        "--scales",
        "10",
        "--skip-nbgrader",
        "--timeout",
        "3",
        "--out",
        str(out),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, out


def test_prints_the_figures_and_the_targets(benchmark_run: tuple[str, Path]) -> None:
    stdout, _ = benchmark_run
    for heading in (
        "python -m autograders grade",
        "ms/student",
        "peak RSS",
        "Hanging submission",
        "Scaling of the fast grader alone",
        "Targets:",
        "not measured",
    ):
        assert heading in stdout, f"{heading!r} missing from the report:\n{stdout}"
    target_lines = [
        line for line in stdout.splitlines() if line.strip().startswith(("PASS", "MISS", "n/a"))
    ]
    assert len(target_lines) >= len(TARGETS), stdout


def test_writes_valid_json_with_the_expected_keys(benchmark_run: tuple[str, Path]) -> None:
    _, out = benchmark_run
    result = json.loads((out / "grading_speed.json").read_text(), parse_constant=_no_nan)
    assert {
        "schema",
        "machine",
        "settings",
        "class",
        "graders",
        "scaling",
        "hang",
        "agreement",
        "targets",
    } <= set(result)
    assert result["class"]["students"] == 10 and len(result["class"]["hanging"]) == 1
    fast = result["graders"]["fast"]
    assert set(result["graders"]) == {"fast"}, "nbgrader was skipped"
    for key in ("wall_seconds", "ms_per_student", "ms_per_student_excluding_hang"):
        assert {"median", "min", "max", "values"} <= set(fast[key])
        assert len(fast[key]["values"]) == 1 and fast[key]["median"] > 0
    assert fast["peak_rss_bytes"] > 0 and fast["peak_pss_bytes"] > 0
    assert len(fast["scores"]) == 10
    assert [p["students"] for p in result["scaling"]["points"]] == [10]
    assert {"slope", "intercept", "r2"} <= set(result["scaling"]["fit"])
    assert {t["name"] for t in result["targets"]} >= TARGETS
    assert all(t["passed"] in (True, False, None) for t in result["targets"])
    assert result["agreement"] == {}


def test_writes_the_plot(benchmark_run: tuple[str, Path]) -> None:
    _, out = benchmark_run
    assert (out / "grading_speed.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
