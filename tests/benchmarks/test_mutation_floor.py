"""The mutation floor: a fixed, seeded sample of mutants of the instructor's answers, one of
every operator and at least four per question, goes through `python -m benchmarks.mutants`
(equivalence battery in subprocesses, then the real `python -m autograders grade`), and every
sampled mutant that does not behave like the solution must lose points on its own question.

The fast tests check the generator itself: deterministic, named, one real change per mutant.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.mutants.equivalence import judge_all
from benchmarks.mutants.generate import OPERATORS, Mutant, all_mutants, mutants_of, sample
from benchmarks.mutants.solutions import Answers

REPO = Path(__file__).resolve().parents[2]
SEED = 0
PER_QUESTION = 4  # with one mutant per operator: about 45 mutants, under 2 minutes on 2 cores
# Sampled mutants the rubric does not catch yet, and what a hidden test would have to do to
# catch them (none today). When the rubric catches one, this test fails until it is taken off.
KNOWN_SURVIVORS: dict[str, str] = {}


@pytest.fixture(scope="module")
def answers() -> Answers:
    return Answers.read()


def test_generation_is_deterministic_and_named(answers: Answers) -> None:
    first, again = all_mutants(answers.solutions, SEED), all_mutants(answers.solutions, SEED)
    assert [(m.id, m.source) for m in first] == [(m.id, m.source) for m in again]
    assert len({m.id for m in first}) == len(first), "mutant ids must be unique"
    for mutant in first:
        question, operator_variant, where = mutant.id.split(".", 2)
        assert question == mutant.question
        assert operator_variant.split("-")[0] == mutant.operator
        assert where.startswith(f"L{mutant.line}c"), mutant.id
        assert mutant.mutated_line, mutant.id


def test_each_mutant_is_valid_python_and_differs_from_the_solution(answers: Answers) -> None:
    for question, source in answers.solutions.items():
        solution = ast.unparse(ast.parse(source))
        mutants = mutants_of(question, source, SEED)
        assert mutants, f"no mutant of {question}"
        for mutant in mutants:
            assert ast.unparse(ast.parse(mutant.source)) != solution, mutant.id


def test_every_operator_makes_mutants_and_the_sample_keeps_them(answers: Answers) -> None:
    mutants = all_mutants(answers.solutions, SEED)
    assert {m.operator for m in mutants} == set(OPERATORS)
    chosen = sample(mutants, PER_QUESTION, SEED)
    assert {m.operator for m in chosen} == set(OPERATORS)
    assert chosen == sample(mutants, PER_QUESTION, SEED)
    for question in answers.solutions:
        assert sum(m.question == question for m in chosen) >= PER_QUESTION, question


def test_the_battery_tells_equivalent_mutants_from_the_others(answers: Answers) -> None:
    """The solution itself and a change the contract allows are equivalent; a Square that
    keeps its state on the class, one that mutates grad_output in place, and one that kills
    its process are not."""
    square = answers.solutions["square_function"]
    grid = answers.solutions["partials_on_grid"]
    cases = {
        "same": ("square_function", square, True),
        "float64": (
            "partials_on_grid",
            grid.replace(".detach().clone()", ".detach().double()"),
            True,
        ),
        "class_state": (
            "square_function",
            square.replace("ctx.save_for_backward(i)", "Square.saved = i").replace(
                "(i,) = ctx.saved_tensors", "i = Square.saved"
            ),
            False,
        ),
        "inplace_upstream": (
            "square_function",
            square.replace("grad_output * 2 * i", "grad_output.mul_(2) * i"),
            False,
        ),
        "dies": ("partials_on_grid", "import os\nos._exit(3)\n", False),
    }
    mutants = [Mutant(name, q, "test", 0, source, "") for name, (q, source, _) in cases.items()]
    judged = judge_all(answers, mutants, workers=2)
    assert {name: judged[name].equivalent for name in cases} == {
        name: equivalent for name, (_, _, equivalent) in cases.items()
    }, {name: judged[name].reason for name in cases}
    assert judged["dies"].reason == "it killed the process"


@pytest.mark.slow
def test_every_sampled_non_equivalent_mutant_loses_points(tmp_path: Path) -> None:
    results = tmp_path / "mutants.json"
    command = [sys.executable, "-m", "benchmarks.mutants", "--seed", str(SEED)]
    command += ["--per-question", str(PER_QUESTION), "--json", str(results)]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["control_problems"] == []
    rows = data["mutants"]
    assert {row["operator"] for row in rows} == set(OPERATORS)
    graded = [row for row in rows if not row["equivalent"]]
    assert len(graded) >= 0.8 * len(rows), "the battery calls most of the sample equivalent"
    not_graded = [row["id"] for row in graded if row["caught"] is None]
    assert not not_graded, f"mutants the grader gave no score: {not_graded}"
    survivors = {r["id"]: r["mutated_line"] for r in graded if not r["caught"]}
    new = [f"{name}: {line}" for name, line in survivors.items() if name not in KNOWN_SURVIVORS]
    assert not new, "mutants that lost no points:\n" + "\n".join(new)
    fixed = sorted({r["id"] for r in graded} & set(KNOWN_SURVIVORS) - set(survivors))
    assert not fixed, f"now caught, take them off KNOWN_SURVIVORS: {fixed}"
