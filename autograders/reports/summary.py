"""The class summary picture: how each question went, and how the totals are spread.

Left: per question (labelled with its maximum), the fraction of students with full, partial and
zero points, zero split into "blank" (the stub is still there, or the notebook could not be
graded) and "wrong" (stacked horizontal bars, first question on top); questions graded by hand
get a grey "pending" bar, since the grader never sees their points. Right: a histogram of the
autograded totals with the mean marked. Students on whom the grader itself failed are left out
(their zeros are not scores) and counted in the title instead.

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

from autograders.hints import ERROR_HINTS
from autograders.reports import registry_hand_graded
from autograders.results import CheckResult, StudentResult

LEVEL_COLOURS = {"full": "#2da44e", "partial": "#d4a72c", "wrong": "#cf222e", "blank": "#8c959f"}
PENDING_COLOUR = "#d0d7de"
STUB_HINT = ERROR_HINTS[0][1]  # the hint for a NotImplementedError: the answer is the stub
MIN_LABELLED_PERCENT = 8  # narrower bar segments get no percentage printed on them


def write_summary_png(
    path: Path,
    results: Sequence[StudentResult],
    question_ids: Sequence[str],
    max_points: Mapping[str, float],
    *,
    assignment: str = "derivatives",
    hand_graded: Mapping[str, float] | None = None,
) -> None:
    """Draw the class summary of `results` into the PNG file `path`.

    `max_points` maps every id in `question_ids` to its maximum (a missing id is a KeyError).
    `hand_graded` maps the questions graded by hand to their points (default: the registry's).
    """
    hand_graded = registry_hand_graded() if hand_graded is None else hand_graded
    graded = [result for result in results if not result.grader_error]
    scores = score_matrix(graded, question_ids)
    maxima = np.array([float(max_points[qid]) for qid in question_ids])
    fractions = level_fractions(scores, maxima, blank_matrix(graded, question_ids))
    totals = np.array([result.total for result in graded])
    labels = [f"{qid} ({max_points[qid]:g})" for qid in question_ids]
    labels += [f"{qid} ({points:g}, by hand)" for qid, points in hand_graded.items()]

    rows = len(labels)
    figure = Figure(figsize=(11, max(4.0, 2.2 + 0.4 * rows)), dpi=100)
    FigureCanvasAgg(figure)
    question_axes, totals_axes = figure.subplots(1, 2, width_ratios=[3, 2])
    _draw_question_levels(question_axes, labels, fractions, pending=len(hand_graded))
    _draw_totals(totals_axes, totals, float(maxima.sum()))
    title = summary_title(assignment, totals, float(maxima.sum()), len(results))
    if hand_graded:
        title += f"\n+ {sum(hand_graded.values()):g} graded by hand, pending (not in the totals)"
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": None})


def score_matrix(results: Sequence[StudentResult], question_ids: Sequence[str]) -> np.ndarray:
    """Points per student (rows) and question (columns); a question without checks scores 0."""
    matrix = np.zeros((len(results), len(question_ids)))
    for row, result in enumerate(results):
        scores = result.question_scores()
        matrix[row] = [scores.get(qid, 0.0) for qid in question_ids]
    return matrix


def blank_matrix(results: Sequence[StudentResult], question_ids: Sequence[str]) -> np.ndarray:
    """Per student (rows) and question (columns): True when the question was left blank."""
    matrix = np.zeros((len(results), len(question_ids)), dtype=bool)
    for row, result in enumerate(results):
        by_question: dict[str, list[CheckResult]] = {}
        for check in result.checks:
            by_question.setdefault(check.question_id, []).append(check)
        matrix[row] = [_blank(by_question.get(qid, [])) for qid in question_ids]
    return matrix


def _blank(checks: Sequence[CheckResult]) -> bool:
    """No points, and a check says the stub is still there or the notebook was not graded."""
    return not any(check.points > 0 for check in checks) and any(
        check.hint == STUB_HINT or check.message.startswith("Not graded:") for check in checks
    )


def level_fractions(
    scores: np.ndarray, maxima: np.ndarray, blank: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per question, the fraction of students with full, partial, wrong and blank answers (sum
    to 1); `blank` marks the zeros that are blank answers (default: none)."""
    if scores.shape[0] == 0:
        return {level: np.zeros(len(maxima)) for level in LEVEL_COLOURS}
    blank = np.zeros(scores.shape, dtype=bool) if blank is None else blank
    full = scores >= maxima - 1e-9  # points are sums of floats: allow rounding noise
    zero = ~full & (scores <= 1e-9)
    return {
        "full": full.mean(axis=0),
        "partial": (~full & ~zero).mean(axis=0),
        "wrong": (zero & ~blank).mean(axis=0),
        "blank": (zero & blank).mean(axis=0),
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
    axes: Axes, labels: Sequence[str], fractions: dict[str, np.ndarray], *, pending: int = 0
) -> None:
    """One bar per label: the autograded questions, then `pending` hand-graded ones."""
    graded = len(labels) - pending
    rows = np.arange(graded)
    left = np.zeros(graded)
    for level, colour in LEVEL_COLOURS.items():
        percent = 100 * fractions[level]
        bars = axes.barh(rows, percent, left=left, color=colour, label=level)
        texts = [f"{p:.0f}%" if p >= MIN_LABELLED_PERCENT else "" for p in percent]
        axes.bar_label(bars, labels=texts, label_type="center", color="white", fontsize=8)
        left += percent
    if pending:
        hand = np.arange(graded, len(labels))
        axes.barh(hand, [100] * pending, color=PENDING_COLOUR, label="pending (by hand)")
        for row in range(graded, len(labels)):
            axes.text(50, row, "graded by hand", ha="center", va="center", fontsize=8)
    axes.set_yticks(np.arange(len(labels)), labels=list(labels))
    axes.set_ylim(len(labels) - 0.5, -0.5)  # first question on top, no bar cut at either end
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of students")
    axes.set_title("Points per question", fontsize=10)
    # below the x label: above the bars the legend hid the top bar behind the title
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=5, fontsize=8, frameon=False)


def _draw_totals(axes: Axes, totals: np.ndarray, max_total: float) -> None:
    upper = max_total if max_total > 0 else 1.0
    bins = np.linspace(0, upper, min(20, max(1, math.ceil(2 * upper))) + 1).tolist()
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
