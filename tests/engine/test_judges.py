"""Every judge of the registry on plain-data answers, without the sandbox: a rubric change is
tested in seconds.

The answers come from the corpus's honest and mistaken submissions, run in-process in a
subprocess (`answers_in_process`); the judges run here, on the same trials, and must give each
submission exactly its expected scores. A judge that raises anything but a `Mismatch` on a
well-formed answer is a grader bug (`JudgeError`), never a silent zero.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from autograders import problems
from autograders.course_secret import public_secret
from autograders.pipeline import attempt_seed
from autograders.problems.base import JudgeError, Trial, judge
from autograders.submission import read_notebook
from tests.corpus import CATEGORIES
from tests.corpus.build import build_class

SEED = 3
TRUSTED = [s for name in ("honest", "mistakes", "strict") for s in CATEGORIES[name]]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("judges")
    class_dir = build_class(folder / "class", TRUSTED)
    out = folder / "answers.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.engine.answers_in_process",
            str(class_dir),
            str(SEED),
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return class_dir, json.loads(out.read_text())


def trial_of(class_dir: Path, student: str, test_id: str) -> Trial:
    """The same trial the subprocess answered: the same attempt seed."""
    notebook = problems.CHECKS_NOTEBOOK[test_id]
    cells = read_notebook(class_dir / student / problems.ASSIGNMENT / f"{notebook}.ipynb")
    seed = attempt_seed(public_secret(SEED), student, notebook, cells)
    return problems.CHECKS[test_id].make_trial(random.Random(f"{seed}:{test_id}"))


@pytest.mark.parametrize("submission", TRUSTED, ids=lambda s: s.name)
def test_each_judge_scores_the_submission_as_expected(answers, submission) -> None:
    class_dir, found = answers
    scores: dict[str, float] = {}
    messages = []
    for test_id, check in problems.CHECKS.items():
        verdict = judge(
            trial_of(class_dir, submission.name, test_id), found[submission.name][test_id]
        )
        question = problems.QUESTION_OF[test_id]
        scores[question] = scores.get(question, 0.0) + (check.points if verdict.passed else 0.0)
        if not verdict.passed:
            messages.append(f"{test_id}: {verdict.message} {verdict.hint}")
    assert scores == submission.expected_scores(), "\n".join(messages)


def test_a_judge_that_breaks_on_a_well_formed_answer_is_a_grader_error() -> None:
    def broken(answers: list) -> None:
        raise KeyError("a bug in the judge")

    trial = Trial([{"op": "call", "name": "f", "args": []}], broken)
    answer = {"ok": True, "value": {"type": "none"}, "args_after": []}
    with pytest.raises(JudgeError, match="a bug in the judge"):
        judge(trial, [answer])


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        {"ok": True},
        {"ok": True, "value": {"type": "tensor", "shape": [2], "data": [1.0]}},
        {"ok": True, "value": {"type": "tuple", "items": "no", "length": 1}},
        {"ok": True, "value": {"type": "weird"}},
        {"ok": "yes", "value": {"type": "none"}},
        {"ok": False, "error": "not a dict"},
    ],
)
def test_a_malformed_answer_fails_the_check_only(answer) -> None:
    def never(answers: list) -> None:
        raise AssertionError("the judge must not see a malformed answer")

    trial = Trial([{"op": "call", "name": "f", "args": []}], never)
    verdict = judge(trial, [answer])
    assert not verdict.passed and "could not be read" in verdict.message
