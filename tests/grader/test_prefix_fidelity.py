"""Grading with the release's prefix held (its leading cells run once per slot) gives what
grading without it gives, on the whole corpus: the same grades.csv row, the same verdicts and
messages in every results.json, the same cells' outputs in every feedback page.

The class is graded twice through the real CLI (`--release` the committed release, then the
same with `--no-prefix`) with `test_corpus`'s options. A verdict that rests on the wall clock
("timed out") depends on the machine's load, not on the prefix: a student whose two gradings
differ and who timed out in either is graded again alone, both ways, with a longer timeout,
and that is what must agree. Object addresses in printed reprs (`<... at 0x7f...>`), the order
of a set printed by IPython's autoreload and what `%time` measured differ from one run to the
next as they do between two Jupyter kernels: the one thing compared loosely (`loose`).
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.corpus import CORPUS
from tests.corpus.build import build_class
from tests.corpus.watch import marked_processes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "release" / "derivatives"
GRADE = [sys.executable, "-m", "autograders", "grade"]
OPTIONS = ["--seed", "7"]
# Both in a copy of the release folder: only the prefix differs.
WAYS = {"held": ["--release", str(RELEASE)], "not held": ["--release", str(RELEASE), "--no-prefix"]}
ADDRESS = re.compile(r"0x[0-9a-f]{6,16}")
TIMING = ("timed out", "s budget")  # verdicts of the wall clock (session.py's wording)
# IPython's autoreload logs each module it cannot read (the grader's own, behind Landlock) in the
# order of a set of names, which string hashing randomises per process (as in Jupyter); with
# the output cap, where that log is cut varies too. Masked to the end of its output.
AUTORELOAD_IN_PAGE = re.compile(r"Failed to read module file.*?</pre>", re.S)
AUTORELOAD_IN_JSON = re.compile(r'Failed to read module file(?:[^"\\]|\\.)*')
CLOCK = re.compile(r"(CPU times|Wall time):[^\n<]*")  # what `%time` measured


def loose(text: str, autoreload: re.Pattern) -> str:
    """`text` with what differs between any two runs masked: addresses, set orders, clocks."""
    text = autoreload.sub("[autoreload's log]", ADDRESS.sub("0x…", text))
    return CLOCK.sub(r"\1: …", text)


def grade(submitted: Path, out: Path, *options: str) -> None:
    run = subprocess.run(
        [*GRADE, str(submitted), "--out", str(out), *OPTIONS, *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    for process in marked_processes():  # what hostile submissions left running: end it
        with contextlib.suppress(psutil.Error):
            process.kill()
    assert run.returncode == 0, f"{options}: exit {run.returncode}\n{run.stderr[-3000:]}"


def graded(out: Path, student: str) -> dict:
    """What a student got, as compared: the row, results.json (less its seconds), the page."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        row = next(row for row in csv.DictReader(handle) if row["student_id"] == student)
    text = (out / student / "results.json").read_text(encoding="utf-8")
    results = json.loads(loose(text, AUTORELOAD_IN_JSON))  # what the check printed, addresses aside
    results.pop("execution_time", None)  # seconds, which the prefix is there to save
    page = loose((out / student / "feedback.html").read_text(encoding="utf-8"), AUTORELOAD_IN_PAGE)
    return {"row": row, "results": results, "page": page}


def timed(found: dict) -> bool:
    text = json.dumps(found["results"])
    return any(words in text for words in TIMING)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, dict]]:
    """student -> (held, not held), each as `graded` gives it."""
    base = tmp_path_factory.mktemp("prefix-fidelity")
    submitted = build_class(base / "submitted", CORPUS)
    outs = {way: base / way.replace(" ", "-") for way in WAYS}
    for way, option in WAYS.items():
        grade(submitted, outs[way], "--workers", "2", "--timeout", "5", *option)
    found = {
        s.name: (graded(outs["held"], s.name), graded(outs["not held"], s.name)) for s in CORPUS
    }
    for student, (held, not_held) in list(found.items()):
        if held != not_held and (timed(held) or timed(not_held)):
            again = {way: base / f"{student}-{way.replace(' ', '-')}" for way in WAYS}
            for way, option in WAYS.items():
                grade(submitted / student, again[way], "--workers", "1", "--timeout", "30", *option)
            found[student] = (graded(again["held"], student), graded(again["not held"], student))
    return found


@pytest.mark.parametrize("student", [s.name for s in CORPUS])
def test_the_same_grades_verdicts_and_outputs(comparison: dict, student: str) -> None:
    held, not_held = comparison[student]
    assert held["row"] == not_held["row"]
    assert held["results"] == not_held["results"]
    if held["page"] != not_held["page"]:
        lines = [page.splitlines() for page in (held["page"], not_held["page"])]
        differ = [(a, b) for a, b in zip(*lines, strict=False) if a != b][:3]
        pytest.fail(f"{student}: the feedback pages differ, first at: {differ}")


def test_the_held_run_used_a_prefix() -> None:
    """Not vacuous: the committed release's notebooks begin with cells the honest corpus
    submission keeps unchanged, so the held run did fork its children from holders."""
    from autograders.release import Release
    from autograders.submission import read_notebook

    release = Release(str(RELEASE))
    solution = ROOT / "samples" / "submitted" / "alice" / "derivatives"
    lengths = {
        notebook: len(prefix.cells)
        for notebook in release.read()
        if (
            prefix := release.prefix_of(
                notebook, read_notebook(solution / f"{notebook}.ipynb").cells
            )
        )
    }
    assert lengths == {"derivatives": 14, "partial_derivatives": 4, "custom_backward": 6}
