"""The class summary picture: how each question went, and how the totals are spread.

Left: per question, the fraction of students with full, partial and zero points (stacked
horizontal bars, first question on top). Right: a histogram of totals with the mean marked.
Students on whom the grader itself failed are left out (their zeros are not scores) and counted
in the title instead.

Drawn on a bare `Figure` with the Agg canvas: no pyplot, so no global state and no GUI backend,
which keeps it safe in worker threads and in tests. The PNG carries no software version, so the
same results give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograders.results import StudentResult

LEVEL_COLOURS = {"full": "#2da44e", "partial": "#d4a72c", "zero": "#cf222e"}
MIN_LABELLED_PERCENT = 8  # narrower bar segments get no percentage printed on them


def write_summary_png(
    path: Path,
    results: Sequence[StudentResult],
    question_ids: Sequence[str],
    max_points: Mapping[str, float],
    *,
    assignment: str = "derivatives",
) -> None:
    """Draw the class summary of `results` into the PNG file `path`.

    `max_points` maps every id in `question_ids` to its maximum (a missing id is a KeyError).
    """
    graded = [result for result in results if not result.grader_error]
    scores = score_matrix(graded, question_ids)
    maxima = np.array([float(max_points[qid]) for qid in question_ids])
    totals = np.array([result.total for result in graded])

    figure = Figure(figsize=(11, max(3.5, 1.5 + 0.4 * len(question_ids))), dpi=100)
    FigureCanvasAgg(figure)
    question_axes, totals_axes = figure.subplots(1, 2, width_ratios=[3, 2])
    _draw_question_levels(question_axes, question_ids, level_fractions(scores, maxima))
    _draw_totals(totals_axes, totals, float(maxima.sum()))
    figure.suptitle(summary_title(assignment, totals, float(maxima.sum()), len(results)))
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": None})


def score_matrix(results: Sequence[StudentResult], question_ids: Sequence[str]) -> np.ndarray:
    """Points per student (rows) and question (columns); a question without checks scores 0."""
    matrix = np.zeros((len(results), len(question_ids)))
    for row, result in enumerate(results):
        scores = result.question_scores()
        matrix[row] = [scores.get(qid, 0.0) for qid in question_ids]
    return matrix


def level_fractions(scores: np.ndarray, maxima: np.ndarray) -> dict[str, np.ndarray]:
    """Per question, the fraction of students with full, partial and zero points (sum to 1)."""
    if scores.shape[0] == 0:
        return {level: np.zeros(len(maxima)) for level in LEVEL_COLOURS}
    full = scores >= maxima - 1e-9  # points are sums of floats: allow rounding noise
    zero = ~full & (scores <= 1e-9)
    return {
        "full": full.mean(axis=0),
        "partial": (~full & ~zero).mean(axis=0),
        "zero": zero.mean(axis=0),
    }


def summary_title(assignment: str, totals: np.ndarray, max_total: float, n_results: int) -> str:
    """E.g. "derivatives: 40 students, mean total 7.3 / 10 (1 grader error left out)"."""
    mean = f"{totals.mean():.1f}" if totals.size else "n/a"
    students = "student" if totals.size == 1 else "students"
    title = f"{assignment}: {totals.size} {students}, mean total {mean} / {max_total:g}"
    left_out = n_results - totals.size
    if left_out:
        title += f" ({left_out} grader error{'s' if left_out > 1 else ''} left out)"
    return title


def _draw_question_levels(
    axes: Axes, question_ids: Sequence[str], fractions: dict[str, np.ndarray]
) -> None:
    rows = np.arange(len(question_ids))
    left = np.zeros(len(question_ids))
    for level, colour in LEVEL_COLOURS.items():
        percent = 100 * fractions[level]
        bars = axes.barh(rows, percent, left=left, color=colour, label=f"{level} points")
        labels = [f"{p:.0f}%" if p >= MIN_LABELLED_PERCENT else "" for p in percent]
        axes.bar_label(bars, labels=labels, label_type="center", color="white", fontsize=8)
        left += percent
    axes.set_yticks(rows, labels=list(question_ids))
    axes.invert_yaxis()  # first question on top, like in the notebooks
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of students")
    axes.set_title("Points per question", fontsize=10)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), ncols=3, fontsize=8, frameon=False)


def _draw_totals(axes: Axes, totals: np.ndarray, max_total: float) -> None:
    upper = max_total if max_total > 0 else 1.0
    bins = np.linspace(0, upper, min(20, max(1, math.ceil(2 * upper))) + 1)
    axes.hist(np.clip(totals, 0, upper), bins=bins, color="#0969da", edgecolor="white")
    if totals.size:
        axes.axvline(totals.mean(), color="#1f2328", linestyle="--", label="mean")
        axes.legend(fontsize=8, frameon=False)
    axes.set_xlim(0, upper)
    axes.set_ylim(0, max(1.0, axes.get_ylim()[1]))  # no negative counts when nobody was graded
    axes.set_xlabel("total points")
    axes.set_ylabel("students")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("Totals", fontsize=10)
