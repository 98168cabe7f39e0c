"""The class summary picture: a real PNG, for one student and for a large class, deterministic."""

from __future__ import annotations

import random
import time

import numpy as np

from autograders.reports.summary import (
    STUB_HINT,
    blank_matrix,
    level_fractions,
    summary_title,
    write_summary_png,
)
from autograders.results import GRADED, CheckResult, StudentResult

MAX_POINTS = {"derivative_at": 2.0, "square_backward": 3.0, "chain_rule": 1.5}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def random_class(size: int, seed: int = 0) -> list[StudentResult]:
    rng = random.Random(seed)
    students = []
    for index in range(size):
        checks = [
            CheckResult(
                f"{qid}_test", qid, "intro", qid, rng.choice([0, maximum / 2, maximum]), maximum
            )
            for qid, maximum in MAX_POINTS.items()
        ]
        students.append(
            StudentResult(f"s{index:04d}", {"derivatives": index}, checks, {"intro": GRADED})
        )
    return students


def test_one_student_gives_a_png(tmp_path):
    path = tmp_path / "summary.png"
    write_summary_png(path, random_class(1), list(MAX_POINTS), MAX_POINTS)

    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_a_large_class_is_drawn_quickly(tmp_path):
    path = tmp_path / "summary.png"
    started = time.perf_counter()
    write_summary_png(path, random_class(500), list(MAX_POINTS), MAX_POINTS)

    assert time.perf_counter() - started < 3  # about 0.2 s; generous for loaded CI machines
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_no_graded_student_still_gives_a_picture(tmp_path):
    crashed = StudentResult("bob", seeds={"derivatives": 1}, grader_error="sandbox did not start")
    write_summary_png(tmp_path / "summary.png", [crashed], list(MAX_POINTS), MAX_POINTS)

    assert (tmp_path / "summary.png").read_bytes().startswith(PNG_SIGNATURE)


def test_the_same_results_give_the_same_bytes(tmp_path):
    results = random_class(50)
    write_summary_png(tmp_path / "a.png", results, list(MAX_POINTS), MAX_POINTS)
    write_summary_png(tmp_path / "b.png", results, list(MAX_POINTS), MAX_POINTS)

    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_levels_count_full_partial_and_zero_students_per_question():
    scores = np.array([[2.0, 0.0], [1.0, 3.0], [0.0, 3.0], [2.0, 1e-12]])
    fractions = level_fractions(scores, np.array([2.0, 3.0]))

    np.testing.assert_allclose(fractions["full"], [0.5, 0.5])
    np.testing.assert_allclose(fractions["partial"], [0.25, 0.0])
    np.testing.assert_allclose(fractions["wrong"], [0.25, 0.5])
    np.testing.assert_allclose(fractions["blank"], [0.0, 0.0])


def test_blank_answers_are_told_from_wrong_ones():
    """A stub still in place (its NotImplementedError hint) or an ungraded notebook is blank."""
    stub = CheckResult("q_test", "q", "intro", "q", 0.0, 2.0, "raised", STUB_HINT)
    missing = CheckResult("q_test", "q", "intro", "q", 0.0, 2.0, "Not graded: missing.")
    wrong = CheckResult("q_test", "q", "intro", "q", 0.0, 2.0, "expected 4, got 3")
    results = [StudentResult(name, checks=[c]) for name, c in [("a", stub), ("b", missing)]]
    results.append(StudentResult("c", checks=[wrong]))
    blank = blank_matrix(results, ["q"])
    assert blank[:, 0].tolist() == [True, True, False]

    fractions = level_fractions(np.zeros((3, 1)), np.array([2.0]), blank)
    np.testing.assert_allclose(fractions["blank"], [2 / 3])
    np.testing.assert_allclose(fractions["wrong"], [1 / 3])


def test_questions_show_their_maximum_and_the_hand_graded_point(tmp_path):
    """The y labels name each question's maximum; the title counts the pending hand-graded one."""
    from matplotlib.figure import Figure

    seen: list[Figure] = []
    original = Figure.savefig

    def keep(figure, *args, **kwargs):
        seen.append(figure)
        return original(figure, *args, **kwargs)

    Figure.savefig = keep
    try:
        write_summary_png(
            tmp_path / "s.png",
            random_class(3),
            list(MAX_POINTS),
            MAX_POINTS,
            hand_graded={"why_detach": 1.0},
        )
    finally:
        Figure.savefig = original
    axes = seen[0].axes[0]
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels == [
        "derivative_at (2)",
        "square_backward (3)",
        "chain_rule (1.5)",
        "why_detach (1, by hand)",
    ]
    assert "+ 1 graded by hand, pending" in seen[0].get_suptitle()
    bottom, top = axes.get_ylim()
    assert top <= -0.5 and bottom >= len(labels) - 0.5, "a bar is cut at the top or the bottom"


def test_title_gives_class_size_mean_and_grader_errors_left_out():
    title = summary_title("derivatives", np.array([4.0, 5.0]), 6.5, n_results=3)

    assert title == "derivatives: 2 students, mean total 4.5 / 6.5 (1 grader error left out)"
    assert summary_title("derivatives", np.array([]), 6.5, 0).endswith("mean total n/a / 6.5")
