"""Set aside equivalent mutants: one subprocess per question runs the battery (`harness`).

Questions run in parallel (`workers` processes at once). A process that dies in the middle
(a mutant that crashes the interpreter) is restarted on the mutants it had not reported; the
mutant it died on counts as not equivalent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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
    with ThreadPoolExecutor(max(1, workers)) as pool:
        jobs = [
            pool.submit(judge_question, answers, question, group, seed)
            for question, group in by_question.items()
        ]
        results: dict[str, Judgement] = {}
        for job in jobs:
            results.update(job.result())
    return results


def judge_question(
    answers: Answers, question: str, mutants: Sequence[Mutant], seed: int = 0
) -> dict[str, Judgement]:
    results: dict[str, Judgement] = {}
    pending = list(mutants)
    while pending:
        results.update(_run(answers, question, pending, seed))
        pending = [m for m in pending if m.id not in results]
        if pending:  # the process died on the first mutant it did not report
            crashed = pending.pop(0)
            results[crashed.id] = Judgement(False, "the mutant killed the process")
    return results


def _run(answers: Answers, question: str, mutants: Sequence[Mutant], seed: int) -> dict:
    job = {
        "question": question,
        "notebook": answers.notebook_of(question),
        "solution": answers.solutions[question],
        "mutants": [[m.id, m.source] for m in mutants],
        "seeds": [seed * 1000 + s for s in SEEDS],
        "timeout": TIMEOUT,
    }
    environment = os.environ | {"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:  # files a mutant writes
        process = subprocess.run(
            [sys.executable, "-m", "benchmarks.mutants.harness"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=scratch,
            env=environment,
            timeout=TIMEOUT * len(mutants) + 120,
        )
    if process.stderr.strip():  # the harness writes nothing there once it runs answers
        raise RuntimeError(f"the equivalence harness failed on {question}:\n{process.stderr}")
    results = {}
    for line in process.stdout.splitlines():
        reply = json.loads(line)
        results[reply["id"]] = Judgement(reply["equivalent"], reply["reason"] or "")
    return results
