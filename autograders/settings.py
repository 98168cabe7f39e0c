"""The grader's settings: one typed object, with every default defined here once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from autograders.sandbox.limits import Limits
from autograders.sandbox.session import Timeouts


@dataclass(frozen=True)
class Settings:
    """How a class is graded."""

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # students at once
    seed: int = 0  # base of each student's seed; a student's seed is recorded in results.json
    timeouts: Timeouts = Timeouts()  # wall clock per notebook cell and per question, seconds
    limits: Limits = Limits()  # kernel-enforced limits of each sandboxed child
