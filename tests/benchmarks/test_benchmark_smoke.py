"""`python -m benchmarks.issue12 --quick` runs every stage end to end and reports what it
promises: the batch sizes with memory, stock nbgrader beside them, watch's latency
distribution, Dask against the local pool, and every target of issue 12 as PASS, MISS or n/a.

The figures are checked to be measured (present, positive, one per submission), never
compared with a speed: the machine running the tests may be slow or busy.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every stage on tiny classes: two minutes or more

REPO = Path(__file__).resolve().parents[2]
TARGETS = {
    "watch_median",
    "watch_p99",
    "per_extra_student",
    "start_up",
    "memory_flat",
    "speed_up_10",
    "speed_up_100",
    "dask_overhead",
}


def _no_nan(constant: str) -> None:
    raise ValueError(f"the JSON holds {constant}, which is not valid JSON")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    pytest.importorskip("distributed")
    out = tmp_path_factory.mktemp("issue12")
    command = [sys.executable, "-m", "benchmarks.issue12", "--quick", "--out", str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads((out / "issue12.json").read_text(), parse_constant=_no_nan)
    return done.stdout, result, out


def test_the_report_has_every_stage_and_every_target(quick_run) -> None:
    stdout, result, _ = quick_run
    for heading in ("Batch:", "stock", "watch:", "Dask against the local pool:", "Targets:"):
        assert heading in stdout, f"{heading!r} missing from the report:\n{stdout}"
    assert re.search(r"submit-to-feedback median +\d+ ms", stdout), stdout
    assert re.search(r"cluster start-up +\d+\.\d s", stdout), stdout
    marks = re.findall(r"^  (PASS|MISS|n/a) ", stdout, flags=re.MULTILINE)
    assert len(marks) == len(TARGETS), stdout
    assert {t["name"] for t in result["targets"]} == TARGETS
    for found in result["targets"]:
        assert found["passed"] in (True, False, None) and found["goal"] and found["value"]


def test_batch_sizes_and_stock_nbgrader_are_measured(quick_run) -> None:
    _, result, _ = quick_run
    points = result["batch"]["points"]
    assert [p["students"] for p in points] == [2, 5]
    for point in points:
        assert point["wall_seconds"] > 0 and point["returncode"] == 0
        assert point["peak_rss_bytes"] > 0 and point["peak_pss_bytes"] > 0
    assert {"slope", "intercept", "r2"} <= set(result["batch"]["fit"])
    (stock,) = result["nbgrader_stock"]
    assert stock["students"] == 2 and stock["wall_seconds"] > 0
    assert len(stock["student_seconds"]) == 2  # read from nbgrader's own log
    by_name = {t["name"]: t for t in result["targets"]}
    assert by_name["speed_up_10"]["passed"] is None  # not measured at N = 10 in --quick
    assert re.search(r"-?\d+ ms", by_name["per_extra_student"]["value"])  # the fit's slope


def test_watch_latency_has_one_figure_per_submission(quick_run) -> None:
    _, result, _ = quick_run
    watch = result["watch"]
    assert watch["rate"] == 2 and watch["submissions"] == 6  # 2/s for 3 s
    latencies = watch["latencies_seconds"]
    assert len(latencies) == 6 and latencies == sorted(latencies) and latencies[0] > 0
    assert latencies[0] <= watch["median_seconds"] <= watch["p99_seconds"] == latencies[-1]
    assert watch["warm_up_seconds"] > 0
    stages = watch["median_stage_seconds"]  # detected, waiting, graded: from the database
    assert set(stages) == {"detected", "waiting", "graded"} and stages["graded"] > 0


def test_dask_and_the_local_pool_grade_alike(quick_run) -> None:
    _, result, _ = quick_run
    dask = result["dask"]
    assert dask["students"] == 4 and dask["differing_rows"] == []
    for key in ("local_seconds", "cluster_start_seconds", "dask_seconds", "dask_warm_seconds"):
        assert dask[key] > 0, key


def test_writes_the_plot(quick_run) -> None:
    _, _, out = quick_run
    assert (out / "issue12.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
