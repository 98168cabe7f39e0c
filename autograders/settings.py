"""The grader's settings: one typed object, with every default defined here once."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from autograders import course_secret
from autograders.release import Release
from autograders.sandbox.host.session import Timeouts
from autograders.sandbox.limits import Limits


@dataclass(frozen=True)
class Settings:
    """How a class is graded."""

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # students at once
    # Hidden inputs come from the course secret (see `course_secret`); a public `seed` replaces
    # it for tests and for regrades without the secret file: then inputs are predictable.
    seed: int | None = None
    secret_file: Path | None = None  # default: course_secret.default_secret_file()
    timeouts: Timeouts = Timeouts()  # wall clock per notebook cell and per question, seconds
    limits: Limits = Limits()  # kernel-enforced limits of each sandboxed child
    # The release the students started from: its unchanged leading cells run once per slot,
    # and every working folder starts as a copy of its folder. None: no prefix, empty folders.
    release: Release | None = None

    def secret(self) -> bytes:
        """The key of every hidden input: the course secret, or one made from `seed`."""
        if self.seed is not None:
            return course_secret.public_secret(self.seed)
        return _load_secret(self.secret_file or course_secret.default_secret_file())


@functools.cache
def _load_secret(path: Path) -> bytes:
    return course_secret.load_or_create(path)
