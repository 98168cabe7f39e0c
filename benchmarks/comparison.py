"""What the runs say together: score agreement between the graders, the speed-up, what the
hanging submission cost, and where the fast grader departs from the corpus's expectations.
Each function adds plain data to the benchmark's result or returns it.
"""

from __future__ import annotations

import statistics

from autograders import problems
from benchmarks import figures


def compare_graders(result: dict) -> None:
    """Score agreement, the speed-up and the hang's cost, added to `result`."""
    fast, graders = result["graders"]["fast"], result["graders"]
    honest, hanging = result["class"]["honest"], result["class"]["hanging"]
    agreement = {}
    for name, students in (
        ("nbgrader_stock", honest),
        ("nbgrader_isolated", list(result["class"]["variants"])),
    ):
        if name in graders:
            found = figures.disagreements(
                fast["scores"], graders[name]["scores"], students, problems.QUESTION_IDS
            )
            agreement[name] = {
                "students": students,
                "compared": len(students) * len(problems.QUESTION_IDS),
                "disagreements": found,
            }
    result["agreement"] = agreement
    if "nbgrader_stock" in graders:
        stock = graders["nbgrader_stock"]
        result["speed_up"] = (
            stock["ms_per_student_excluding_hang"]["median"]
            / fast["ms_per_student_excluding_hang"]["median"]
        )
        spans = [stock["student_seconds"][s] for s in honest if s in stock["student_seconds"]]
        slope = result["scaling"]["fit"]["slope"] if len(result["scaling"]["points"]) > 1 else 0
        if spans and slope > 0:  # nbgrader's own time per honest student, vs the fast
            # grader's cost of one more student (its start-up left out, as nbgrader's is)
            result["speed_up_marginal"] = statistics.median(spans) / slope
    result["hang"] = assess_hang(result, hanging)


def assess_hang(result: dict, hanging: list[str]) -> dict:
    """Did the hang cost its timeout once, and did the others go on meanwhile?

    From the fast grader's first run of the whole class: the hanging student's own time
    (results.json, whole seconds) must stay under two timeouts; the other students must get
    the scores they get without it; and some of them must finish while it hangs (their
    results.json written in that window), unless none was left to grade.
    """
    fast, timeout = result["graders"]["fast"], result["settings"]["timeout"]
    if len(hanging) != 1:
        return {"summary": f"{len(hanging)} hanging submissions: not assessed", "passed": None}
    student = hanging[0]
    own = fast["hanging_student_seconds"][student]
    finished = fast["finish_times"]
    end = finished.get(student, 0.0)
    start = end - (own or 0.0)
    during = [s for s, at in finished.items() if s != student and start < at < end]
    after = [s for s, at in finished.items() if s != student and at > end]
    unchanged = fast["no_hang_scores"]
    changed = [s for s in unchanged if fast["scores"].get(s) != unchanged[s]]
    extra = (
        fast["wall_seconds"]["median"]
        - figures.spread([r["wall_seconds"] for r in fast["no_hang_runs"]])["median"]
    )
    passed = own is not None and own < 2 * timeout and not changed and (bool(during) or not after)
    summary = (
        f"graded in {own:.0f} s (whole seconds; timeout {timeout:g} s); "
        f"{len(during)} other students finished meanwhile, {len(after)} after it; "
        f"the class took {extra:+.1f} s more than without it; other students' scores "
        + ("unchanged" if not changed else "CHANGED for " + ", ".join(changed))
    )
    return {
        "summary": summary,
        "passed": passed,
        "student": student,
        "own_seconds": own,
        "finished_meanwhile": during,
        "finished_after": after,
        "extra_wall_seconds": extra,
        "others_changed": changed,
        "nbgrader_stock_seconds": result["graders"]
        .get("nbgrader_stock", {})
        .get("student_seconds", {})
        .get(student),
    }


def unexpected_scores(scores: dict[str, dict[str, float]], plan: dict) -> list[dict]:
    """Where the fast grader's score differs from what the corpus expects of a submission."""
    return [
        {
            "student": student,
            "question": question,
            "fast": scores[student].get(question),
            "expected": expected,
        }
        for student, variant in plan.items()
        for question, expected in variant.submission.expected_scores().items()
        if scores.get(student, {}).get(question) != expected
    ]
