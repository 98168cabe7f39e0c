"""A class of N synthetic submissions of `derivatives`, in nbgrader's submitted layout:
`<dest>/<student>/derivatives/<notebook>.ipynb`, drawn from the grader's test corpus.

The mix is realistic and deterministic: correct work in the corpus's many styles (`HONEST`),
its ordinary mistakes (`MISTAKES`), a few blanks (untouched, a stub left, a notebook missing),
one submission that hangs until the timeout and one that crashes its process. The first ten
students cover every kind; after them students are drawn with fixed weights. Hostile and
tampered submissions are left out: they measure safety, not speed.

Each distinct submission is built once by the corpus's own builder and hard-linked for every
student who has it, so a class of 2000 costs little disk and time to make.
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.corpus import FAULTS, HONEST, MISTAKES, TAMPERED
from tests.corpus.build import build_submission, reference_answers
from tests.corpus.spec import Submission

HANG, CRASH = "hang", "crash"
HONEST_KINDS = ("solution", "mistake", "blank")  # both graders should score these alike
BLANKS = ("blank", "not_implemented_left", "missing_notebook")
HANGING = "infinite_loop_top_level"  # `while True: pass` in an answer cell
CRASHING = "segfault_in_function"  # ctypes.string_at(0) when a check calls the function
# Not first: a grader's start-up is counted in the time of the first students it grades, and
# the hanging student's own time must show what the hang costs.
FIRST_STUDENTS = (
    "solution",
    "solution_autograd_grad_float64",
    "solution_prints_and_warns",
    "partials_swapped",
    HANGING,
    CRASHING,
    "accumulates_grad_in_global",
    "forgot_detach_on_grid",
    "ignores_grad_output",
    "blank",
)
WEIGHTS = {"solution": 0.55, "mistake": 0.35, "blank": 0.10}  # of the students after those


@dataclass(frozen=True)
class Variant:
    """One corpus submission and its kind: "solution", "mistake", "blank", "hang", "crash"."""

    submission: Submission
    kind: str

    @property
    def name(self) -> str:
        return self.submission.name

    @property
    def honest(self) -> bool:
        return self.kind in HONEST_KINDS


def all_variants() -> dict[str, Variant]:
    by_name = {s.name: s for s in HONEST + MISTAKES + FAULTS + TAMPERED}
    kinds = (
        [Variant(s, "solution") for s in HONEST]
        + [Variant(s, "mistake") for s in MISTAKES if s.name not in BLANKS]
        + [Variant(by_name[name], "blank") for name in BLANKS]
        + [Variant(by_name[HANGING], HANG), Variant(by_name[CRASHING], CRASH)]
    )
    return {variant.name: variant for variant in kinds}


def class_plan(
    n: int, variants: dict[str, Variant], *, with_hang: bool = True, seed: int = 0
) -> dict[str, Variant]:
    """student id -> variant for a class of n; without the hang when `with_hang` is False."""
    first = [name for name in FIRST_STUDENTS if with_hang or name != HANGING]
    rng = random.Random(seed)
    by_kind = {kind: [v for v in variants.values() if v.kind == kind] for kind in WEIGHTS}
    plan = {}
    for number in range(1, n + 1):
        if number <= len(first):
            variant = variants[first[number - 1]]
        else:
            kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            variant = rng.choice(by_kind[kind])
        plan[f"s{number:04d}_{variant.name}"] = variant
    return plan


def build_class(dest: Path, plan: dict[str, Variant], *, cache: Path) -> Path:
    """Write the class of `plan` under `dest` (made here); returns `dest`."""
    dest.mkdir(parents=True)
    references = reference_answers()
    for student, variant in plan.items():
        built = cache / variant.name
        if not built.is_dir():
            build_submission(variant.submission, cache, references)
        shutil.copytree(built, dest / student, copy_function=link_or_copy)
    return dest


def link_or_copy(src: str | Path, dest: str | Path) -> None:
    """Hard-link (the graders only read submissions); copy across file systems."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
