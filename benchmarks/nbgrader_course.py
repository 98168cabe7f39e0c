"""A throw-away copy of the course in which `nbgrader autograde` grades a synthetic class.

The copy holds `source/`, `release/`, the project's `nbgrader_config.py` (renamed
`project_nbgrader_config.py`) and a small `nbgrader_config.py` of the benchmark's that loads it
and then picks the grading engine:
  stock     nbgrader's own `Autograde.autograde_preprocessors` (its `Execute` runs each
            notebook in a Jupyter kernel), whatever the project's config plugs in
  isolated  the project's config unchanged (measured only when it plugs in `IsolatedExecute`)
Both give nbgrader's `Execute` the benchmark's timeout, so a hanging cell costs the same in
every grader.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

from autograders import problems

STOCK = "stock"
ISOLATED = "isolated"
PROJECT_CONFIG = "project_nbgrader_config.py"

# nbgrader 0.9.6's default `Autograde.autograde_preprocessors`, in its order: execute, then
# clean up and limit the outputs, then read the grades from the outputs into the gradebook.
STOCK_PREPROCESSORS = """\
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern, LimitOutput, SaveAutoGrades,
)

c.Autograde.autograde_preprocessors = [
    Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]
"""

BENCHMARK_CONFIG = """\
# Written by benchmarks/nbgrader_course.py: the project's settings, then the benchmark's.
c = get_config()  # noqa: F821
load_subconfig({project!r})  # noqa: F821
{engine}
c.Execute.timeout = {timeout}  # the benchmark's timeout, as for the fast grader
c.IsolatedExecute.timeout = {timeout}
"""

# "[AutogradeApp | INFO] Creating/updating student with ID 's0001_reference': {}" starts one
# student; nbgrader grades students one after the other, so the next such line ends it.
STUDENT_STARTS = re.compile(r"Creating/updating student with ID '([^']+)'")


def project_plugs_in_isolated_engine(repo: Path) -> bool:
    """True when the committed nbgrader_config.py puts `IsolatedExecute` into autograde."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(repo)).load_config()
    configured = config.Autograde.get("autograde_preprocessors", [])
    return any("IsolatedExecute" in getattr(item, "__name__", str(item)) for item in configured)


def make_course(dest: Path, *, repo: Path, engine: str, timeout: float) -> Path:
    """Copy the course into `dest` and write the benchmark's config for `engine`."""
    dest.mkdir(parents=True)
    for folder in ("source", "release"):
        shutil.copytree(repo / folder, dest / folder)
    shutil.copy(repo / "nbgrader_config.py", dest / PROJECT_CONFIG)
    text = BENCHMARK_CONFIG.format(
        project=PROJECT_CONFIG,
        timeout=math.ceil(timeout),
        engine=STOCK_PREPROCESSORS if engine == STOCK else "",
    )
    (dest / "nbgrader_config.py").write_text(text)
    return dest


def generate_command() -> list[str]:
    """Makes the gradebook's assignment and release/ from source/, as an instructor would."""
    return ["nbgrader", "generate_assignment", problems.ASSIGNMENT, "--force"]


def autograde_command() -> list[str]:
    return ["nbgrader", "autograde", problems.ASSIGNMENT, "--force"]


def submit(course: Path, class_dir: Path, *, link: Callable[[Path, Path], object]) -> None:
    """Put the class into the course's submitted/ folder (files linked, not copied)."""
    shutil.copytree(class_dir, course / "submitted", copy_function=link)


def gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    """student id -> question id -> points nbgrader's autograder gave, from gradebook.db.

    Only autograded test cells count (the grade cells the registry knows, or whose id starts
    with a known question followed by `_test`); a manually graded answer has no auto score.
    """
    from nbgrader.api import Gradebook, MissingEntry  # SQLAlchemy: only once nbgrader ran

    scores: dict[str, dict[str, float]] = {}
    url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(problems.ASSIGNMENT, student.id)
            except MissingEntry:  # nbgrader recorded no submission for this student: no row
                continue
            questions: dict[str, float] = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    question = question_of_grade_cell(grade.name)
                    if question and grade.auto_score is not None:
                        questions[question] = questions.get(question, 0.0) + grade.auto_score
            scores[student.id] = questions
    return scores


def question_of_grade_cell(grade_id: str) -> str | None:
    if grade_id in problems.QUESTION_OF:
        return problems.QUESTION_OF[grade_id]
    prefix = grade_id.split("_test")[0]
    return prefix if "_test" in grade_id and prefix in problems.QUESTION_IDS else None


def student_seconds(stderr_lines: list[tuple[float, str]], wall: float) -> dict[str, float]:
    """Seconds nbgrader spent on each student, from when its log lines arrived.

    A student's time runs from its "Creating/updating student" line to the next student's
    (the last one's to the end of the run, so it also carries nbgrader's exit).
    """
    starts = [
        (at, match.group(1)) for at, line in stderr_lines if (match := STUDENT_STARTS.search(line))
    ]
    ends = [at for at, _ in starts[1:]] + [wall]
    return {student: end - start for (start, student), end in zip(starts, ends, strict=True)}
