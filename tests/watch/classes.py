"""Small classes of corpus submissions for the watcher's and the cluster's tests, each student
with the total the corpus expects of them (the oracle: not the grader's own output)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from benchmarks.synthetic_class import all_variants, build_class

VARIANTS = all_variants()


def expected_total(variant_name: str) -> float:
    return sum(VARIANTS[variant_name].submission.expected_scores().values())


def make_class(dest: Path, students: dict[str, str], cache: Path) -> Path:
    """`dest` with one folder per student id, holding the named corpus variant."""
    return build_class(dest, {sid: VARIANTS[name] for sid, name in students.items()}, cache=cache)


def replace_submission(submitted: Path, student_id: str, variant_name: str, cache: Path) -> None:
    """Hand in `variant_name` as `student_id`'s new submission, notebook by notebook."""
    built = cache / variant_name
    if not built.is_dir():
        make_class(cache.parent / f"build-{variant_name}", {variant_name: variant_name}, cache)
    for notebook in (built / "derivatives").glob("*.ipynb"):
        target = submitted / student_id / "derivatives" / notebook.name
        partial = target.with_suffix(".partial")
        shutil.copyfile(notebook, partial)
        partial.replace(target)


def grades(out: Path) -> dict[str, float]:
    """student id -> total, from grades.csv."""
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        return {row["student_id"]: float(row["total"]) for row in csv.DictReader(handle)}
