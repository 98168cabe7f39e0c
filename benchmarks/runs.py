"""The measured runs: the fast grader on a class, `nbgrader autograde` in a course copy, and
the fast grader alone at growing class sizes. Each returns plain data for the report.

Every grader runs as a subprocess of its own and is measured from outside (`measure`), one run
at a time: the machine's cores belong to the grader under test.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import fast_grader, nbgrader_course
from benchmarks.measure import Measurement, run_measured
from benchmarks.synthetic_class import link_or_copy

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class RunSettings:
    timeout: float  # seconds per cell and per question, for every grader
    workers: int | None  # the fast grader's --workers; None: its default (the cores)
    workdir: Path  # scratch space for classes, course copies and reports


@contextmanager
def work_folder(prefix: str, *, keep: bool) -> Iterator[Path]:
    """A fresh folder for a benchmark's classes and reports: removed at the end, or kept and
    named on stderr (`--keep-workdir`)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"work folder kept: {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def grader_env() -> dict[str, str]:
    """This venv's tools first on PATH (nbgrader calls `alembic`), the project importable."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_summary(measurement: Measurement, students: int) -> dict:
    """The figures of one run that go into the report and the JSON."""
    return {
        "students": students,
        "wall_seconds": measurement.wall_seconds,
        "ms_per_student": 1000 * measurement.wall_seconds / max(students, 1),
        "peak_rss_bytes": measurement.peak_rss_bytes,
        "peak_pss_bytes": measurement.peak_pss_bytes,
        "peak_processes": measurement.peak_processes,
        "memory_samples": measurement.samples,
        "cpu_seconds": measurement.cpu_seconds,
        "cpu_ms_per_student": 1000 * measurement.cpu_seconds / max(students, 1),
        "other_cpu_seconds": measurement.other_cpu_seconds,
        "sampler_cpu_seconds": measurement.sampler_cpu_seconds,
        "returncode": measurement.returncode,
    }


def fast_run(class_dir: Path, out: Path, students: int, settings: RunSettings) -> dict:
    command = fast_grader.grade_command(
        class_dir, out, timeout=settings.timeout, workers=settings.workers
    )
    measurement = run_measured(
        command,
        cwd=settings.workdir,
        env=grader_env(),
        timeout=600 + students * 4 * settings.timeout,
    )
    if not (out / "grades.csv").is_file():
        _require_success(measurement, "python -m autograders grade", always=True)
    if measurement.returncode != 0:  # it failed on some students but wrote every row
        print(
            f"  note: the fast grader exited with {measurement.returncode} on {class_dir.name}: "
            f"{measurement.stderr.splitlines()[-1:]}",
            file=sys.stderr,
        )
    return run_summary(measurement, students)


def nbgrader_run(
    class_dir: Path, course: Path, students: int, *, engine: str, settings: RunSettings
) -> tuple[dict, dict[str, float], dict[str, dict]]:
    """Grade the class with `nbgrader autograde` in a fresh course copy.

    Returns the run's figures, nbgrader's seconds per student (from its log) and the scores
    it wrote to the gradebook. Making the course and its release is not measured.
    """
    nbgrader_course.make_course(course, repo=REPO, engine=engine, timeout=settings.timeout)
    generated = run_measured(
        nbgrader_course.generate_command(), cwd=course, env=grader_env(), timeout=600
    )
    _require_success(generated, "nbgrader generate_assignment")
    nbgrader_course.submit(course, class_dir, link=link_or_copy)
    measurement = run_measured(
        nbgrader_course.autograde_command(),
        cwd=course,
        env=grader_env(),
        timeout=600 + students * 60 * settings.timeout,
    )
    if measurement.returncode != 0:  # nbgrader exits 1 when a notebook failed: report, go on
        print(
            f"  note: nbgrader autograde ({engine}) exited with {measurement.returncode}; "
            "its gradebook is read all the same",
            file=sys.stderr,
        )
    seconds = nbgrader_course.student_seconds(measurement.stderr_lines, measurement.wall_seconds)
    summary = run_summary(measurement, students)
    return summary, seconds, nbgrader_course.gradebook_scores(course)


def _require_success(measurement: Measurement, what: str, *, always: bool = False) -> None:
    """A grader that fails is a broken benchmark, not a slow grader: stop and show why."""
    if measurement.returncode != 0 or always:
        tail = "\n".join(measurement.stderr.splitlines()[-30:])
        raise RuntimeError(f"{what} exited with {measurement.returncode}:\n{tail}")


def as_dict(settings: RunSettings) -> dict:
    data = asdict(settings)
    data["workdir"] = str(settings.workdir)
    return data
