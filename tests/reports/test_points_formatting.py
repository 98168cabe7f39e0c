"""The helpers every report shares, so points and notebook statuses read the same everywhere."""

from __future__ import annotations

import pytest

from autograders.reports import format_points, notebook_status_lines
from autograders.results import GRADED, StudentResult


@pytest.mark.parametrize(
    ("points", "text"),
    [(2.0, "2"), (1.5, "1.5"), (0.1 + 0.2, "0.3"), (1 / 3, "0.33"), (10, "10"), (-0.0001, "0")],
)
def test_points_have_no_useless_decimals(points, text):
    assert format_points(points) == text


def test_notebook_status_lines_name_the_file_and_the_reason():
    result = StudentResult(
        "s", {"derivatives": 1}, notebooks={"intro": GRADED, "custom_backward": "invalid JSON"}
    )

    assert notebook_status_lines(result) == [
        "intro.ipynb: graded",
        "custom_backward.ipynb: not gradable: invalid JSON",
    ]
