"""Secret, per-attempt hidden inputs: the course secret and the seeds made from it."""

from __future__ import annotations

import random
import stat
from pathlib import Path

from autograders import problems
from autograders.course_secret import load_or_create, notebook_seed, public_secret
from autograders.pipeline import attempt_seed
from autograders.settings import Settings
from autograders.submission import cells_to_run

CELLS = ["import torch", "def derivative_at(f, x0):\n    return 1.0"]


def test_the_secret_is_created_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "config" / "autograders" / "course-secret"
    first = load_or_create(path)
    assert len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create(path) == first
    assert load_or_create(tmp_path / "another") != first


def test_an_identical_attempt_gets_the_same_seed_and_a_changed_one_another() -> None:
    secret = b"s" * 64
    seed = notebook_seed(secret, "alice", "derivatives", CELLS)
    assert notebook_seed(secret, "alice", "derivatives", list(CELLS)) == seed
    changed = [*CELLS[:-1], CELLS[-1] + "  # resubmitted"]
    assert notebook_seed(secret, "alice", "derivatives", changed) != seed
    assert notebook_seed(secret, "bob", "derivatives", CELLS) != seed
    assert notebook_seed(secret, "alice", "custom_backward", CELLS) != seed


def test_without_the_secret_the_seed_cannot_be_predicted() -> None:
    seeds = {notebook_seed(key, "alice", "derivatives", CELLS) for key in (b"a" * 64, b"b" * 64)}
    assert len(seeds) == 2
    assert notebook_seed(public_secret(0), "alice", "derivatives", CELLS) not in seeds


def test_a_changed_resubmission_gets_new_hidden_inputs(tmp_path: Path) -> None:
    """What the student's hidden test values are made from changes with the code."""
    settings = Settings(secret_file=tmp_path / "secret")

    def hidden_probes(sources: list[str]) -> list:
        cells = cells_to_run([{"cell_type": "code", "source": s, "metadata": {}} for s in sources])
        seed = attempt_seed(settings.secret(), "alice", "derivatives", cells)
        check = problems.CHECKS["derivative_at_test"]
        return check.make_trial(random.Random(f"{seed}:{check.test_id}")).probes

    assert hidden_probes(CELLS) == hidden_probes(CELLS)
    assert hidden_probes(CELLS) != hidden_probes([*CELLS, "print('again')"])


def test_a_public_seed_replaces_the_secret_for_reproducible_runs(tmp_path: Path) -> None:
    assert Settings(seed=7).secret() == Settings(seed=7, secret_file=tmp_path / "x").secret()
    assert not (tmp_path / "x").exists()
