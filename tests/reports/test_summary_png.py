"""The class summary picture: a real PNG, for one student and for a large class, deterministic."""

from __future__ import annotations

import random
import time

import numpy as np

from autograders.reports.summary import level_fractions, summary_title, write_summary_png
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
    np.testing.assert_allclose(fractions["zero"], [0.25, 0.5])


def test_title_gives_class_size_mean_and_grader_errors_left_out():
    title = summary_title("derivatives", np.array([4.0, 5.0]), 6.5, n_results=3)

    assert title == "derivatives: 2 students, mean total 4.5 / 6.5 (1 grader error left out)"
    assert summary_title("derivatives", np.array([]), 6.5, 0).endswith("mean total n/a / 6.5")
