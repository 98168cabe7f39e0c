"""One registry check, run inside the notebook's own kernel: the hidden region of a test cell.

The hidden region of every test cell in `source/derivatives/` is generated from the registry
(`python -m autograders.authoring.sync_tests`) and calls `run_check(test_id)`. So `nbgrader
validate`, stock `nbgrader autograde` and the formgrader run and show the very check that the
isolated grader (`python -m autograders grade`, or `nbgrader autograde` with the committed
config) applies: the same trial (hidden inputs drawn from a seed), the same probes, the same
judge, the same message and hint.

What differs is only where the student's code runs. Here it runs in the kernel itself, next to
the registry and its expected values, so this path is for checking notebooks (the instructor's
solution, a trusted run), not for grading hostile submissions: that is the isolated engine's job.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import sys
import warnings

from autograders import problems, static
from autograders.problems.base import Check, Trial, judge
from autograders.sandbox.child.serve import ask_check

SEED_VARIABLE = "AUTOGRADERS_SEED"
MAX_OUTPUT = 4000  # characters of the student's printed output kept, as the sandbox does


def run_check(
    test_id: str,
    *,
    namespace: dict | None = None,
    sources: list[str] | None = None,
    seed: int | None = None,
) -> None:
    """Run the registry check `test_id` on the answers defined in `namespace`.

    `namespace` defaults to the kernel's user namespace (`get_ipython().user_ns`), or to
    `__main__` outside IPython; `sources`, the code the static probes read (see
    `autograders.static`), to the cells the kernel has run so far. `seed` defaults to
    `$AUTOGRADERS_SEED`, else a fresh random seed per call; the check's hidden inputs come
    from `random.Random(f"{seed}:{test_id}")`, exactly as the isolated grader draws them for
    a student whose seed is `seed`.

    Prints one "Passed" line when the check passes. Raises AssertionError with the student's
    message, the likely mistake and the seed (to repeat the run) when it fails, and KeyError
    for a test id the registry does not know.
    """
    check = problems.CHECKS[test_id]
    seed = chosen_seed() if seed is None else seed
    trial = check.make_trial(random.Random(f"{seed}:{test_id}"))
    answers, output = ask(
        trial,
        user_namespace() if namespace is None else namespace,
        executed_cells() if sources is None else sources,
    )
    if output:
        print(output, end="" if output.endswith("\n") else "\n")
    verdict = judge(trial, answers)
    if not verdict.passed:
        raise AssertionError(failure_text(check, verdict.message, verdict.hint, seed))
    print(f"Passed: {check.title} ({points_text(check)}; hidden inputs from seed {seed})")


def chosen_seed() -> int:
    """`$AUTOGRADERS_SEED` when set (a repeatable run), else a fresh random seed."""
    text = os.environ.get(SEED_VARIABLE, "").strip()
    return int(text) if text else random.SystemRandom().randrange(2**32)


def _shell():
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def user_namespace() -> dict:
    """The namespace the notebook's cells ran in."""
    shell = _shell()
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def executed_cells() -> list[str]:
    """The text of the cells the kernel has run, in order (none outside IPython)."""
    shell = _shell()
    return list(shell.history_manager.input_hist_raw) if shell is not None else []


def ask(trial: Trial, namespace: dict, sources: list[str]) -> tuple[list, str]:
    """Run each probe of the trial in `namespace` through the sandbox child's own
    `ask_check` (a figure a call opens is read, then closed, as in the sandbox); a static
    probe is answered from `sources`, as the grading process does.

    Returns the answers after a JSON round trip (what the grader receives from the child) and
    what the student's code printed. Warnings and printed text are captured, not shown on
    stderr: stock nbgrader gives 0 to a test cell with anything on stderr, the isolated grader
    does not.
    """
    buffer = io.StringIO()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
    ):
        warnings.simplefilter("ignore")
        from_child = ask_check(namespace, static.child_probes(trial.probes))
        answers = static.merged_answers(trial.probes, from_child, sources)
    plain = json.loads(json.dumps(answers, allow_nan=True, default=str))
    return plain, buffer.getvalue()[-MAX_OUTPUT:]


def failure_text(check: Check, message: str, hint: str, seed: int) -> str:
    lines = [f"{check.title} ({points_text(check)})", message]
    if hint:
        lines.append(f"Likely mistake: {hint}")
    lines.append(f"(Hidden inputs from seed {seed}; {SEED_VARIABLE}={seed} repeats them.)")
    return "\n".join(lines)


def points_text(check: Check) -> str:
    return f"{check.points:g} point{'' if check.points == 1 else 's'}"
