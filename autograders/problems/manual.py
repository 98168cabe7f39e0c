"""Questions graded by hand: nbgrader's manually graded answer cells, never autograded.

They are part of the assignment's points (shown to students, summed in the totals) but no
check of the registry grades them; a human does, in nbgrader's formgrader. The sync command
(`python -m autograders.authoring.sync_tests`) writes these points into the source notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ManualQuestion:
    question_id: str  # the grade_id of the markdown answer cell
    notebook: str
    points: float


MANUAL: tuple[ManualQuestion, ...] = (ManualQuestion("why_detach", "derivatives", 1),)
MANUAL_POINTS: dict[str, float] = {question.question_id: question.points for question in MANUAL}
