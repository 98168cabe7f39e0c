"""The benchmark's outputs: the printed figures, `grading_speed.json` and `grading_speed.png`."""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Callable
from pathlib import Path

from benchmarks.figures import GIB

MIB = 1024**2
STATUS = {True: "PASS", False: "MISS", None: "n/a "}


def machine() -> dict:
    import nbgrader
    import torch

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "nbgrader": nbgrader.__version__,
        "platform": platform.platform(),
    }


def render(result: dict) -> str:
    lines = _header(result) + [""] + _graders(result) + [""] + _agreement(result)
    lines += ["", *_hang(result["hang"]), ""]
    lines += _scaling(result) + ["", "Targets:"]
    lines += [f"  {STATUS[t['passed']]}  {t['goal']}: {t['value']}" for t in result["targets"]]
    return "\n".join(lines)


def _header(result: dict) -> list[str]:
    settings, group, machine_ = result["settings"], result["class"], result["machine"]
    kinds = ", ".join(f"{name}" for name in sorted(set(group["variants"].values())))
    return [
        f"Grading speed of `derivatives` (3 notebooks): class of {group['students']} "
        f"students, timeout {settings['timeout']:g} s, {machine_['cpus']} CPUs, "
        f"torch {machine_['torch']}, nbgrader {machine_['nbgrader']}",
        f"  the class: {kinds}",
        "  ms/student = wall time / students of each run; median [min-max] over repeats; "
        "memory = peak of the process tree, sampled every 100 ms",
    ]


def _graders(result: dict) -> list[str]:
    lines = [
        f"  {'grader':<34} {'runs':>4} {'wall s':>7} {'ms/student':>21} "
        f"{'excl. hang':>10} {'CPU ms/st.':>10} {'peak RSS':>9} {'peak PSS':>9}"
    ]
    for grader in result["graders"].values():
        ms, wall = grader["ms_per_student"], grader["wall_seconds"]
        cpu = statistics.median(run["cpu_ms_per_student"] for run in grader["runs"])
        lines.append(
            f"  {grader['label']:<34} {len(grader['runs']):>4} {wall['median']:>7.1f} "
            + f"{ms['median']:.0f} [{ms['min']:.0f}-{ms['max']:.0f}]".rjust(21)
            + f" {grader['ms_per_student_excluding_hang']['median']:>7.0f} ms {cpu:>10.0f}"
            f" {_mib(grader['peak_rss_bytes']):>9} {_mib(grader['peak_pss_bytes']):>9}"
        )
    if "speed_up" in result:
        lines.append(
            f"  ratio fast / nbgrader per student (class without its hang): "
            f"{1 / result['speed_up']:.3f}, i.e. {result['speed_up']:.1f}x faster"
        )
    if "speed_up_marginal" in result:
        lines.append(
            f"  start-ups left out: {result['speed_up_marginal']:.1f}x faster "
            "(nbgrader's median per honest student vs the fast grader's slope)"
        )
    busy = _busy_elsewhere(result)
    if busy > 0.05:
        lines.append(
            f"  note: other processes used up to {100 * busy:.0f}% of the machine's "
            "CPU during a run; wall times may be inflated by that much"
        )
    if not result["graders"]["fast"]["repeatable"]:
        lines.append("  WARNING: the fast grader's scores differed between repeats")
    return lines


def _busy_elsewhere(result: dict) -> float:
    """The largest share of the machine's CPU that other processes took during one run."""
    runs = [
        run
        for grader in result["graders"].values()
        for run in grader["runs"] + grader.get("no_hang_runs", [])
    ]
    runs += result["scaling"]["points"]
    cpus = result["machine"]["cpus"] or 1
    return max(
        (
            run["other_cpu_seconds"] / (run["wall_seconds"] * cpus)
            for run in runs
            if run["wall_seconds"] > 0
        ),
        default=0.0,
    )


def _agreement(result: dict) -> list[str]:
    unexpected = result["corpus_expectations"]
    lines = [
        f"Fast grader against the corpus's expected scores: "
        f"{'all as expected' if not unexpected else f'{len(unexpected)} differ:'}"
    ]
    lines += [
        f"    {u['student']}: {u['question']} fast {u['fast']}, expected {u['expected']:g}"
        for u in unexpected
    ]
    if not result["agreement"]:
        return lines + ["Agreement with nbgrader: not measured (--skip-nbgrader)"]
    for name, found in result["agreement"].items():
        who = "honest submissions" if name == "nbgrader_stock" else "submissions"
        wrong = found["disagreements"]
        lines.append(
            f"Agreement of fast grader and {name} on {len(found['students'])} {who}: "
            f"{found['compared'] - len(wrong)}/{found['compared']} question scores "
            "agree" + (":" if wrong else "")
        )
        lines += [
            f"    {d['student']}: {d['question']} fast {d['fast']:g}, {name} {d['other']:g}"
            for d in wrong
        ]
    return lines


def _hang(hang: dict) -> list[str]:
    lines = [f"Hanging submission ({hang.get('student', '-')}), fast grader: {hang['summary']}"]
    if hang.get("nbgrader_stock_seconds") is not None:
        lines.append(
            f"  stock nbgrader spent {hang['nbgrader_stock_seconds']:.1f} s on that "
            "student (its log)"
        )
    return lines


def _scaling(result: dict) -> list[str]:
    points = result["scaling"]["points"]
    if not points:
        return ["Scaling: not measured (no --scales)"]
    lines = [
        "Scaling of the fast grader alone (classes without the hanging submission):",
        f"  {'N':>6} {'wall s':>9} {'ms/student':>11} {'CPU ms/st.':>10} {'peak RSS':>9} "
        f"{'peak PSS':>9} {'processes':>9}",
    ]
    lines += [
        f"  {p['students']:>6} {p['wall_seconds']:>9.1f} {p['ms_per_student']:>11.0f} "
        f"{p['cpu_ms_per_student']:>10.0f} {_mib(p['peak_rss_bytes']):>9} "
        f"{_mib(p['peak_pss_bytes']):>9} {p['peak_processes']:>9}"
        for p in points
    ]
    fit = result["scaling"]["fit"]
    first, last = points[0], points[-1]
    lines.append(
        f"  time: wall = {fit['intercept']:.2f} s + {1000 * fit['slope']:.0f} ms x N "
        f"(R^2 {fit['r2']:.4f}); memory: peak RSS at N={last['students']} is "
        f"{last['peak_rss_bytes'] / max(first['peak_rss_bytes'], 1):.2f}x that at "
        f"N={first['students']}"
    )
    return lines


def _mib(size: int) -> str:
    return f"{size / GIB:.2f} GiB" if size >= GIB else f"{size / MIB:.0f} MiB"


def write(result: dict, out: Path) -> list[Path]:
    return write_json_and_plot(result, out, "grading_speed", plot)


def write_json_and_plot(
    result: dict, out: Path, name: str, draw: Callable[[dict, Path], None]
) -> list[Path]:
    """`out/<name>.json` (the figures) and `out/<name>.png` (drawn by `draw`); their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, png_path = out / f"{name}.json", out / f"{name}.png"
    json_path.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    draw(result, png_path)
    return [json_path, png_path]


def plot(result: dict, path: Path) -> None:
    """Time and peak memory against class size; nbgrader at its N, extrapolated dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (time_ax, memory_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    points = result["scaling"]["points"]
    sizes = [p["students"] for p in points] or [result["class"]["students"]]
    fast = result["graders"]["fast"]
    n = result["class"]["students"]
    if points:
        time_ax.plot(sizes, [p["wall_seconds"] for p in points], "o-", label="fast grader")
        memory_ax.plot(
            sizes,
            [p["peak_rss_bytes"] / GIB for p in points],
            "o-",
            label="fast grader, RSS summed",
        )
        memory_ax.plot(
            sizes,
            [p["peak_pss_bytes"] / GIB for p in points],
            "o:",
            label="fast grader, PSS summed",
        )
    time_ax.plot(
        [n],
        [fast["wall_seconds"]["median"]],
        "s",
        color="C0",
        mfc="none",
        label=f"fast grader, class of {n} with its hang",
    )
    for key, color in (("nbgrader_stock", "C3"), ("nbgrader_isolated", "C2")):
        if key in result["graders"]:
            grader = result["graders"][key]
            time_ax.plot(
                [n], [grader["wall_seconds"]["median"]], "D", color=color, label=grader["label"]
            )
            rate = grader["ms_per_student_excluding_hang"]["median"] / 1000
            span = [min(sizes + [n]), max(sizes + [n])]
            time_ax.plot(
                span,
                [rate * s for s in span],
                "--",
                color=color,
                label=f"{grader['label']}, extrapolated",
            )
            memory_ax.plot(
                [n], [grader["peak_rss_bytes"] / GIB], "D", color=color, label=grader["label"]
            )
    memory_ax.axhline(2, color="grey", lw=0.8, ls="--", label="2 GiB target")
    for ax, ylabel in ((time_ax, "wall time (s)"), (memory_ax, "peak memory (GiB)")):
        ax.set_xscale("log")
        ax.set_xlabel("students in the class")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    time_ax.set_yscale("log")
    memory_ax.set_ylim(bottom=0)
    fig.suptitle("Grading `derivatives` (3 notebooks)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
