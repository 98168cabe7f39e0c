"""Set aside equivalent mutants: the battery runs in `harness`, a subprocess that imports
torch once and forks one child per question (`workers` at a time). A child that dies in the
middle (a mutant that crashes the interpreter) is replaced for the mutants it had not
reported; the mutant it died on counts as not equivalent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.mutants.generate import Mutant
from benchmarks.mutants.solutions import Answers

REPO = Path(__file__).resolve().parents[2]
SEEDS = (0, 1)  # battery rounds; each draws its own inputs, in the same namespace
TIMEOUT = 20  # seconds per mutant: the battery takes well under a second


@dataclass(frozen=True)
class Judgement:
    equivalent: bool
    reason: str  # why not equivalent (the first observation that differs); "" if equivalent


def judge_all(
    answers: Answers, mutants: Sequence[Mutant], workers: int = 2, seed: int = 0
) -> dict[str, Judgement]:
    """mutant id -> its judgement, for every mutant."""
    by_question: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_question.setdefault(mutant.question, []).append(mutant)
    jobs = [_job(answers, q, group, seed) for q, group in by_question.items()]
    environment = os.environ | {"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    process = subprocess.run(
        [sys.executable, "-m", "benchmarks.mutants.harness"],
        input=json.dumps({"jobs": jobs, "workers": max(1, workers)}),
        capture_output=True,
        text=True,
        env=environment,
        timeout=TIMEOUT * len(mutants) + 300,
    )
    results = {}
    for line in process.stdout.splitlines():
        reply = json.loads(line)
        results[reply["id"]] = Judgement(reply["equivalent"], reply["reason"] or "")
    missing = [m.id for m in mutants if m.id not in results]
    if process.returncode or missing:
        raise RuntimeError(
            f"the equivalence harness failed (exit {process.returncode}, {len(missing)} "
            f"mutants without a verdict):\n{process.stderr[-3000:]}"
        )
    return results


def _job(answers: Answers, question: str, mutants: Sequence[Mutant], seed: int) -> dict:
    return {
        "question": question,
        "notebook": answers.notebook_of(question),
        "solution": answers.solutions[question],
        "mutants": [[m.id, m.source] for m in mutants],
        "seeds": [seed * 1000 + s for s in SEEDS],
        "timeout": TIMEOUT,
    }
