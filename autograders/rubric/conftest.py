"""Options and the graded-submission fixture for the pytest rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograders.results import CheckResult


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograders", "grading a `derivatives` submission")
    group.addoption(
        "--submission",
        type=Path,
        default=None,
        help="one student's folder (holding derivatives/*.ipynb) or the assignment folder itself",
    )
    group.addoption(
        "--seed",
        type=int,
        default=None,
        help="a public seed for the hidden inputs (default: the course secret)",
    )
    group.addoption(
        "--grading-timeout",
        type=float,
        default=10.0,
        help="seconds per notebook cell and per question",
    )


@pytest.fixture(scope="session")
def graded(request: pytest.FixtureRequest) -> dict[str, CheckResult]:
    """The verdict of every check, keyed by test cell id."""
    from autograders.pipeline import grade_student
    from autograders.sandbox.host.pool import Sandbox
    from autograders.sandbox.host.session import Timeouts
    from autograders.settings import Settings

    folder = request.config.getoption("--submission")
    if folder is None:
        pytest.skip("no submission given: pass --submission STUDENT_FOLDER")
    folder = Path(folder)
    if (folder / "derivatives").is_dir():
        folder = folder / "derivatives"
    timeout = request.config.getoption("--grading-timeout")
    settings = Settings(
        workers=1, seed=request.config.getoption("--seed"), timeouts=Timeouts.per_step(timeout)
    )
    with Sandbox(settings.limits, workers=1) as sandbox:
        result = grade_student(folder.parent.name, folder, sandbox, settings)
    return {check.test_id: check for check in result.checks}
