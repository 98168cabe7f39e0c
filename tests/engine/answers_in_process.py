"""Answers of a class of honest or mistaken submissions, without the sandbox: plain data for
the fast judge tests.

    python -m tests.engine.answers_in_process CLASS_DIR SEED ANSWERS_JSON

Runs in a process of its own (the tests' process keeps no student state): each notebook's
cells run in one IPython shell, reset between notebooks, and each check's probes are answered
by the same child-side code the sandbox uses (`sandbox/child/probes.py`), static probes by
`static.py`. Only for trusted submissions (the corpus's honest and mistaken ones): nothing
here is confined.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from autograders import problems, static  # noqa: E402
from autograders.course_secret import public_secret  # noqa: E402
from autograders.pipeline import attempt_seed  # noqa: E402
from autograders.sandbox.child import probes  # noqa: E402
from autograders.sandbox.child.shell import SandboxShell  # noqa: E402
from autograders.submission import NotGradable, read_notebook  # noqa: E402


def notebook_answers(shell: InteractiveShell, path: Path, student: str, seed: int) -> dict:
    """test_id -> the answers of its probes, in probe order (static ones included)."""
    import matplotlib.pyplot as plt

    notebook = path.stem
    try:
        cells = read_notebook(path)
    except NotGradable:
        return {}
    shell.reset(new_session=False)
    for cell in cells.cells:
        shell.run_cell(cell["source"], store_history=False, silent=True)
        plt.close("all")
    sources = [cell["source"] for cell in cells.cells]
    seed = attempt_seed(public_secret(seed), student, notebook, cells)
    found = {}
    for problem in problems.for_notebook(notebook):
        for check in problem.checks:
            trial = check.make_trial(random.Random(f"{seed}:{check.test_id}"))
            registers: dict = {}
            from_child = [
                probes.run(op, shell.user_ns, registers) for op in static.child_probes(trial.probes)
            ]
            found[check.test_id] = static.merged_answers(trial.probes, from_child, sources)
            plt.close("all")
    return found


def main(class_dir: str, seed: str, out: str) -> None:
    shell = SandboxShell.instance()  # magics and plt.show() as the sandbox runs them
    results: dict[str, dict] = {}
    for folder in sorted(Path(class_dir).iterdir()):
        results[folder.name] = {}
        for path in sorted((folder / problems.ASSIGNMENT).glob("*.ipynb")):
            results[folder.name].update(notebook_answers(shell, path, folder.name, int(seed)))
    Path(out).write_text(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:4])
