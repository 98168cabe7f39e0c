"""The arithmetic of the benchmark: spreads over repeats, the linear fit of the scaling runs,
score agreement, and the targets with their PASS/MISS. Plain data in, plain data out.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

GIB = 1024**3
TARGET_MS_PER_STUDENT = 150.0
TARGET_SPEED_UP = 30.0
TARGET_PEAK_BYTES = 2 * GIB


def spread(values: Sequence[float]) -> dict:
    """Median, min and max of the repeats, and the values themselves."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": list(values),
    }


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> dict:
    """Least squares y = intercept + slope * x, with R² (1.0 for fewer than 3 points)."""
    if len(xs) < 2:
        return {"slope": ys[0] / xs[0] if xs else 0.0, "intercept": 0.0, "r2": 1.0}
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    total = sum((y - mean_y) ** 2 for y in ys)
    return {"slope": slope, "intercept": intercept, "r2": 1.0 - residual / total if total else 1.0}


def disagreements(
    fast: dict[str, dict[str, float]],
    other: dict[str, dict[str, float]],
    students: Sequence[str],
    questions: Sequence[str],
) -> list[dict]:
    """Every (student, question) whose points differ; a question without a grade counts 0."""
    found = []
    for student in students:
        for question in questions:
            a = fast.get(student, {}).get(question, 0.0)
            b = other.get(student, {}).get(question, 0.0)
            if abs(a - b) > 1e-9:
                found.append({"student": student, "question": question, "fast": a, "other": b})
    return found


def target(name: str, goal: str, value: str, passed: bool | None) -> dict:
    """One target line; `passed` None when it could not be measured in this run."""
    return {"name": name, "goal": goal, "value": value, "passed": passed}


def evaluate_targets(result: dict) -> list[dict]:
    fast, scaling = result["graders"]["fast"], result["scaling"]
    n = result["class"]["students"]
    per_student = fast["ms_per_student_excluding_hang"]["median"]
    targets = [
        target(
            "speed",
            f"fast grader median <= {TARGET_MS_PER_STUDENT:g} ms per student, class of "
            f"{n} without its hang (wall / N, start-up included)",
            f"{per_student:.0f} ms",
            per_student <= TARGET_MS_PER_STUDENT,
        )
    ]
    if scaling["points"]:
        largest = scaling["points"][-1]
        targets.append(
            target(
                "speed_at_scale",
                f"fast grader <= {TARGET_MS_PER_STUDENT:g} ms per student at "
                f"N={largest['students']} (wall / N)",
                f"{largest['ms_per_student']:.0f} ms",
                largest["ms_per_student"] <= TARGET_MS_PER_STUDENT,
            )
        )
    targets += _speed_up_targets(result)
    peak = max(
        [run["peak_rss_bytes"] for run in fast["runs"] + fast["no_hang_runs"]]
        + [point["peak_rss_bytes"] for point in scaling["points"]]
    )
    targets.append(
        target(
            "memory",
            "fast grader peak memory < 2 GiB at every N (RSS summed over the tree)",
            f"{peak / GIB:.2f} GiB",
            peak < TARGET_PEAK_BYTES,
        )
    )
    hang = result["hang"]
    targets.append(
        target(
            "hang",
            "a hanging submission costs its timeout once and does not hold up the others",
            hang["summary"],
            hang["passed"],
        )
    )
    return targets


def _speed_up_targets(result: dict) -> list[dict]:
    goal = f">= {TARGET_SPEED_UP:g}x faster than stock nbgrader per student"
    ratio = result.get("speed_up")
    if ratio is None:
        return [target("speed_up", goal, "not measured (--skip-nbgrader)", None)]
    found = [
        target(
            "speed_up",
            f"{goal}, class of {result['class']['students']} without its hang (wall / N each)",
            f"{ratio:.1f}x",
            ratio >= TARGET_SPEED_UP,
        )
    ]
    marginal = result.get("speed_up_marginal")
    if marginal is not None:
        found.append(
            target(
                "speed_up_marginal",
                f"{goal}, start-ups left out (nbgrader's median time per "
                "honest student in its log / the fast grader's slope over the scales)",
                f"{marginal:.1f}x",
                marginal >= TARGET_SPEED_UP,
            )
        )
    return found
