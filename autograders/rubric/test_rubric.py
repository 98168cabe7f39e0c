"""Every autograded check of the `derivatives` assignment, as one pytest test each."""

from __future__ import annotations

import pytest

from autograders import problems


@pytest.mark.parametrize("test_id", list(problems.CHECKS))
def test_check(graded, test_id: str) -> None:
    """The submission passes this check of the registry."""
    result = graded[test_id]
    if not result.passed:
        hint = f"\nLikely mistake: {result.hint}" if result.hint else ""
        pytest.fail(f"{result.title}\n{result.message}{hint}", pytrace=False)
