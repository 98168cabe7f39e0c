"""Plain-data results of grading: what the reports, the CLI and the nbgrader plug-in consume.

Nothing here refers to student objects: every field is a str, a number or a bool, built in the
grading process from the JSON the sandbox sent back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRADED = "graded"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one autograded test cell (one rubric check) for one student."""

    test_id: str  # the test cell's nbgrader grade_id, e.g. "derivative_at_test_values"
    question_id: str  # the solution cell's grade_id, e.g. "derivative_at"
    notebook: str  # notebook name without ".ipynb"
    title: str  # one line a student reads, e.g. "derivative_at: values at hidden points"
    points: float  # earned
    max_points: float
    message: str = ""  # what went wrong, in a student's words; "" when it passed
    hint: str = ""  # the likely mistake, when one is recognised
    output: str = ""  # what the student's code printed during this check (capped)

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points


@dataclass(frozen=True)
class ViewCell:
    """One cell of a graded notebook as the feedback shows it. Student content: every page
    escapes or sanitises it."""

    kind: str  # "markdown", "code" (the student's or an answer), "test", "raw"
    source: str  # a test cell's without its hidden regions
    grade_id: str = ""  # an answer cell's question id, a test cell's test id
    outputs: tuple[dict, ...] = ()  # nbformat outputs the sandbox recorded (code cells)
    attachments: dict | None = None  # a markdown cell's raster images, by name


@dataclass(frozen=True)
class NotebookView:
    """A graded notebook, cell by cell, for the feedback page: plain data."""

    cells: tuple[ViewCell, ...] = ()


@dataclass
class StudentResult:
    """Everything the grader learned about one student's submission folder."""

    student_id: str
    # notebook -> the seed of its hidden inputs (for instructors only: see course_secret)
    seeds: dict[str, int] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    # notebook name -> GRADED, or a short reason it was not gradable ("missing", "invalid JSON")
    notebooks: dict[str, str] = field(default_factory=dict)
    grader_error: str = ""  # set when the grader itself failed on this student
    seconds: float = 0.0
    # protections the sandbox could not apply on this machine (no Landlock, not root, ...)
    sandbox_warnings: list[str] = field(default_factory=list)
    # notebook -> what the feedback page shows of it (graded notebooks only). Only the student's
    # feedback needs it: `grade.write_student_reports` empties it once that page is written, so
    # a class's results do not keep every notebook (results.json, grades.csv never read it).
    views: dict[str, NotebookView] = field(default_factory=dict, repr=False, compare=False)

    def question_scores(self) -> dict[str, float]:
        scores: dict[str, float] = {}
        for check in self.checks:
            scores[check.question_id] = scores.get(check.question_id, 0.0) + check.points
        return scores

    @property
    def total(self) -> float:
        return sum(check.points for check in self.checks)

    @property
    def max_total(self) -> float:
        return sum(check.max_points for check in self.checks)

    @property
    def status(self) -> str:
        """`graded`, or why something could not be graded, for the status column."""
        if self.grader_error:
            return f"grader error: {self.grader_error}"
        problems = [f"{nb}: {why}" for nb, why in sorted(self.notebooks.items()) if why != GRADED]
        return "; ".join(problems) if problems else GRADED
