"""Reports written from plain grading results (`autograders.results`), one module per report.

- `grades_csv`: the class gradebook, one row per student (for the instructor).
- `gradescope`: one student's `results.json` in Gradescope's autograder format.
- `feedback`: one student's self-contained HTML feedback page.
- `summary`: the class summary picture (score distributions per question, totals).
- `progress`: the one-line progress bar the CLI shows while a class is graded.

Every string in a result may come from untrusted student output: each report escapes it for its
own format (HTML, CSV formulas, terminal control characters). Only the two helpers below are
shared, so that points and notebook statuses read the same in every report.

Importing this package is cheap on purpose (no matplotlib): the CLI imports only what it writes.
"""

from __future__ import annotations

from autograders.results import GRADED, StudentResult


def format_points(points: float) -> str:
    """Points without useless decimals, rounded to 2: 2.0 -> "2", 1.5 -> "1.5", 1/3 -> "0.33"."""
    # `+ 0.0` turns a rounded -0.0 into 0.0, which would otherwise print as "-0"
    return f"{round(points, 2) + 0.0:.2f}".rstrip("0").rstrip(".")


def registry_hand_graded() -> dict[str, float]:
    """The questions graded by hand (nbgrader's manual cells) and their points, from the registry.

    Each report shows them as pending: the grader never sees their points.
    """
    # imported here: the registry loads torch, which a report that is given them does not need
    from autograders.problems.manual import MANUAL_POINTS

    return dict(MANUAL_POINTS)


def notebook_file(notebook: str) -> str:
    """The file name a student recognises: "custom_backward" -> "custom_backward.ipynb"."""
    return notebook if notebook.endswith(".ipynb") else f"{notebook}.ipynb"


def notebook_status(why: str) -> str:
    """A notebook's state in words: "graded", or "not gradable: <reason>"."""
    return "graded" if why == GRADED else f"not gradable: {why}"


def notebook_status_lines(result: StudentResult) -> list[str]:
    """One line per notebook, e.g. "custom_backward.ipynb: not gradable: invalid JSON"."""
    return [
        f"{notebook_file(name)}: {notebook_status(why)}" for name, why in result.notebooks.items()
    ]
