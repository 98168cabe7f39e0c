"""Secret, per-attempt hidden inputs.

Hidden inputs that a student can predict can be hard-coded: a seed made from the student id
and a public default would be the same on every resubmission, and feedback shows the inputs.
So each notebook's inputs come from an HMAC of

    the course secret  (random, created on first use, kept outside the repository, 0600)
    the student id, the notebook, and a digest of the code the notebook runs

A changed resubmission gets new inputs; an identical one gets the same inputs and the same
grade; a student never sees the seed. The instructor can reproduce any grade: the seed of
each notebook is recorded in `grades.csv`, and the same secret regrades to the same seeds.

The secret file lies outside the sandbox's reach (Landlock allows the children only the
Python installation, system files and their own working folder).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE_ENV = "AUTOGRADERS_SECRET_FILE"


def default_secret_file() -> Path:
    """`$AUTOGRADERS_SECRET_FILE`, else `$XDG_CONFIG_HOME/autograders/course-secret`."""
    if os.environ.get(SECRET_FILE_ENV):
        return Path(os.environ[SECRET_FILE_ENV])
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "autograders" / "course-secret"


def load_or_create(path: Path) -> bytes:
    """The course secret in `path`, created (32 random bytes, hex, mode 0600) if missing."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = secrets.token_hex(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text + "\n")
    if len(text) < 32:
        raise ValueError(f"the course secret in {path} is too short (at least 32 characters)")
    return text.encode()


def public_secret(seed: int) -> bytes:
    """A secret made from a public seed (`--seed`): reproducible anywhere, so not secret.
    For tests and for regrading without the course's secret file."""
    return f"public seed {seed}".encode()


def notebook_seed(secret: bytes, student_id: str, notebook: str, sources: list[str]) -> int:
    """The seed of one notebook's hidden inputs for this attempt (a 63-bit integer)."""
    code = hashlib.sha256("\0".join(sources).encode("utf-8", "surrogatepass")).hexdigest()
    message = f"{student_id}\0{notebook}\0{code}".encode("utf-8", "surrogatepass")
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1
