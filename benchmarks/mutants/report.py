"""The figures of a mutation run: per question and per operator, survivors, the JSON file."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from pathlib import Path

import torch

from benchmarks.mutants.equivalence import Judgement
from benchmarks.mutants.generate import Mutant
from benchmarks.mutants.grading import Graded

GOAL = 95.0  # percent of non-equivalent mutants that must lose points (issue 8)


def mutant_rows(
    mutants: Sequence[Mutant], judged: dict[str, Judgement], graded: dict[str, Graded]
) -> list[dict]:
    rows = []
    for m in mutants:
        verdict = graded.get(m.id)
        rows.append(
            {
                "id": m.id,
                "question": m.question,
                "operator": m.operator,
                "line": m.line,
                "mutated_line": m.mutated_line,
                "equivalent": judged[m.id].equivalent,
                "differs": judged[m.id].reason,
                "score": verdict.score if verdict else None,
                "status": verdict.status if verdict else "",
                "caught": verdict.caught(m.question) if verdict else None,
                "grader_said": verdict.message if verdict else "",
            }
        )
    return rows


def tally(rows: Sequence[dict], key: str) -> dict[str, dict]:
    """generated, equivalent, graded, caught, caught % and survivor ids, grouped by key."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(
            row[key], {"generated": 0, "equivalent": 0, "graded": 0, "caught": 0, "survivors": []}
        )
        group["generated"] += 1
        group["equivalent"] += row["equivalent"]
        if row["caught"] is not None:
            group["graded"] += 1
            group["caught"] += row["caught"]
            if not row["caught"]:
                group["survivors"].append(row["id"])
    for group in groups.values():
        group["caught_pct"] = _percent(group["caught"], group["graded"])
    return groups


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def overall(rows: Sequence[dict]) -> dict:
    everything = tally([row | {"all": "all"} for row in rows], "all").get("all")
    return everything or {
        "generated": 0,
        "equivalent": 0,
        "graded": 0,
        "caught": 0,
        "survivors": [],
        "caught_pct": None,
    }


def document(rows: Sequence[dict], *, seed: int, seconds: dict, control: list[str]) -> dict:
    return {
        "command": "python -m benchmarks.mutants",
        "seed": seed,
        "machine": {"python": platform.python_version(), "torch": torch.__version__},
        "goal_pct": GOAL,
        "overall": overall(rows),
        "questions": tally(rows, "question"),
        "operators": tally(rows, "operator"),
        "control_problems": control,
        "seconds": seconds,
        "mutants": list(rows),
    }


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def printed(data: dict) -> str:
    head = f"  {'question':<22}{'generated':>10}{'equivalent':>11}{'graded':>8}{'caught':>8}"
    lines = [
        f"Mutation testing of the rubric (seed {data['seed']}, torch {data['machine']['torch']})",
        head + f"{'caught %':>10}",
    ]
    for name, group in [*data["questions"].items(), ("all", data["overall"])]:
        pct = "-" if group["caught_pct"] is None else f"{group['caught_pct']:.1f}"
        lines.append(
            f"  {name:<22}{group['generated']:>10}{group['equivalent']:>11}"
            f"{group['graded']:>8}{group['caught']:>8}{pct:>10}"
        )
    rate = data["overall"]["caught_pct"]
    met = rate is not None and rate >= GOAL
    lines.append(
        f"  goal: >= {GOAL:g} % of non-equivalent mutants caught: {'met' if met else 'NOT met'}"
    )
    lines += [f"  CONTROL: {problem}" for problem in data["control_problems"]]
    lines.append(f"  times (s): {', '.join(f'{k} {v:.0f}' for k, v in data['seconds'].items())}")
    survivors = [row for row in data["mutants"] if row["caught"] is False]
    lines.append(f"Survivors ({len(survivors)}): id | mutated line | what the battery saw differ")
    lines += [f"  {r['id']} | {r['mutated_line']} | {r['differs']}" for r in survivors]
    return "\n".join(lines)
