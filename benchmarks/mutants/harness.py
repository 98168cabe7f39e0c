"""The child side of the equivalence check: `python -m benchmarks.mutants.harness`.

Reads one job (JSON on stdin: the question, the notebook's answers in order, the solution and
the mutants), runs the question's battery on the solution, then on each mutant in a fresh
namespace, and writes one JSON line per mutant: {"id", "equivalent", "reason"}. What the
answers print goes nowhere; a mutant that runs longer than the job's `timeout` is not
equivalent. Mutant code runs only in this process, never in the benchmark's.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

from benchmarks.mutants import battery, battery_functions  # noqa: E402
from benchmarks.mutants.observe import Raised, Recorder, first_difference  # noqa: E402

BATTERIES = {
    "derivative_at": battery.derivative_at,
    "derivative_on_grid": battery.derivative_on_grid,
    "plot_derivative": battery.plot_derivative,
    "partial_derivatives": battery.partial_derivatives,
    "partials_on_grid": battery.partials_on_grid,
    "square_function": battery_functions.square_function,
    "linear_function": battery_functions.linear_function,
    "leaf_answers": battery_functions.leaf_answers,
}
PRELUDE = "import torch\nimport matplotlib.pyplot as plt\n"  # the notebooks' import cells


class TimedOut(BaseException):  # not an Exception: a battery step must not swallow it
    pass


def observe(job: dict, source: str) -> list:
    """The observations of the battery of job's question, with `source` as its answer and the
    solution's answers for the notebook's other questions (run in notebook order)."""
    import matplotlib.pyplot as plt

    namespace: dict = {"__name__": "__main__"}
    recorder = Recorder()
    try:
        exec(PRELUDE, namespace)  # noqa: S102
        for question, answer in job["notebook"]:
            code = source if question == job["question"] else answer
            exec(compile(code, f"<{question}>", "exec"), namespace)  # noqa: S102
    except Exception as error:
        recorder.value("running the cells", Raised(type(error).__name__))
        return recorder.observations
    for seed in job["seeds"]:
        BATTERIES[job["question"]](namespace, random.Random(seed), recorder)
    plt.close("all")
    return recorder.observations


def _on_alarm(signum, frame) -> None:
    raise TimedOut


def main() -> int:
    job = json.loads(sys.stdin.read())
    channel = os.fdopen(os.dup(1), "w")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _on_alarm)
    want = observe(job, job["solution"])
    for mutant_id, source in job["mutants"]:
        signal.alarm(job["timeout"])
        try:
            reason = first_difference(want, observe(job, source))
        except TimedOut:
            reason = f"ran longer than {job['timeout']} s"
        finally:
            signal.alarm(0)
        line = {"id": mutant_id, "equivalent": reason is None, "reason": reason}
        channel.write(json.dumps(line) + "\n")
        channel.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
