"""The child side of the equivalence check: `python -m benchmarks.mutants.harness`.

Reads the jobs (JSON on stdin: {"jobs": [...], "workers": n}; a job is a question, the
notebook's answers in order, the solution and the mutants) and imports torch once; then each
job runs in a forked child of its own, which runs the question's battery on the solution, then
on each mutant in a fresh namespace. One JSON line per mutant goes to stdout:
{"id", "equivalent", "reason"}. What the answers print goes nowhere; a mutant that runs longer
than the job's `timeout` is not equivalent. Mutant code runs only in the forked children,
never in the benchmark's process nor in this one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

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


def run_job(job: dict, report) -> None:
    """In a forked child: the solution's observations, then one verdict line per mutant."""
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
        report.write(json.dumps({"id": mutant_id, "equivalent": reason is None, "reason": reason}))
        report.write("\n")
        report.flush()


def fork_job(job: dict, path: Path) -> int:
    """Start run_job in a child process writing to path; its pid."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the parent's code
        code = 1
        try:
            torch.set_num_threads(1)
            with path.open("w", encoding="utf-8") as report:
                run_job(job, report)
            code = 0
        finally:
            os._exit(code)
    return pid


def reported(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.endswith("}")]


def run_jobs(jobs: list[dict], workers: int, scratch: Path, out) -> None:
    """Each job in its own forked child, `workers` at a time. A child that dies is replaced
    by one for the mutants it had not reported; the one it died on is not equivalent."""
    queue, running, serial = list(jobs), {}, 0
    while queue or running:
        while queue and len(running) < workers:
            job, serial = queue.pop(0), serial + 1
            path = scratch / f"job{serial}.jsonl"
            running[fork_job(job, path)] = (job, path)
        pid, _ = os.wait()
        job, path = running.pop(pid)
        done = reported(path)
        for line in done:
            out.write(json.dumps(line) + "\n")
        left = job["mutants"][len(done) :]
        if left:
            crash = {"id": left[0][0], "equivalent": False, "reason": "it killed the process"}
            out.write(json.dumps(crash) + "\n")
            if left[1:]:
                queue.append(job | {"mutants": left[1:]})
        out.flush()


def main() -> int:
    request = json.loads(sys.stdin.read())
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        os.chdir(scratch)  # where a mutant's files would go
        run_jobs(request["jobs"], request["workers"], Path(scratch), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
