"""Real `nbgrader generate_feedback`: self-contained pages, hand-graded points never silent.

`release_feedback` ships one HTML file per notebook, so its images must be inside it; a
hand-graded answer that waits for its grader is flagged to the instructor and the student.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest
from assignment_support import ASSIGNMENT, SOURCE, nbgrader
from nbgrader.api import Gradebook

pytestmark = pytest.mark.slow
PENDING = "why_detach is not graded by hand yet"


@pytest.fixture(scope="module")
def feedback_course(autograded_course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the autograded course (so grading by hand here changes no other test)."""
    root = tmp_path_factory.mktemp("feedback") / "course"
    shutil.copytree(autograded_course, root, ignore=shutil.ignore_patterns("feedback"))
    return root


def _feedback(course: Path, student: str, notebook: str) -> str:
    path = course / "feedback" / student / ASSIGNMENT / f"{notebook}.html"
    return path.read_text(encoding="utf-8")


def test_feedback_embeds_the_assignments_images(feedback_course: Path) -> None:
    nbgrader("generate_feedback", ASSIGNMENT, "--force", "--student", "alice", cwd=feedback_course)
    for notebook in ("derivatives", "custom_backward"):
        page = _feedback(feedback_course, "alice", notebook)
        sources = re.findall(r'<img[^>]* src="([^"]*)"', page)
        assert sources, f"{notebook}: no image in the feedback"
        assert all(src.startswith("data:image/png;base64,") for src in sources), sources
    attributes = base64.b64encode((SOURCE / "images" / "attributes.png").read_bytes()).decode()
    assert attributes in _feedback(feedback_course, "alice", "derivatives")


def test_ungraded_hand_graded_answer_is_warned_and_marked(feedback_course: Path) -> None:
    output = nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=feedback_course)
    with Gradebook(f"sqlite:///{feedback_course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade("why_detach", "derivatives", ASSIGNMENT, "alice")
        assert grade.needs_manual_grade, "alice answered why_detach: it waits for a grader"
    assert f"alice/derivatives: {PENDING}" in output, output[-2000:]
    assert "Graded by hand, pending" in _feedback(feedback_course, "alice", "derivatives")


def test_graded_hand_graded_answer_is_not_flagged(feedback_course: Path) -> None:
    with Gradebook(f"sqlite:///{feedback_course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade("why_detach", "derivatives", ASSIGNMENT, "alice")
        grade.manual_score = 1.0
        gradebook.db.commit()
    output = nbgrader(
        "generate_feedback", ASSIGNMENT, "--force", "--student", "alice", cwd=feedback_course
    )
    assert PENDING not in output
    page = _feedback(feedback_course, "alice", "derivatives")
    assert "Graded by hand, pending" not in page
