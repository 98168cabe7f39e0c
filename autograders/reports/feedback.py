"""One student's feedback page: a self-contained HTML file (inline CSS, no scripts, works offline).

Layout: the total score, each notebook's status, then per notebook a section and per question a
block listing its checks (✓/✗, points, what went wrong, the likely mistake, what the student's
code printed) and linking to its answer cell; questions graded by hand are listed as pending,
outside the autograded total. Below a notebook's questions, the notebook itself as graded, closed
at first (`notebook_view`: cells, outputs, figures, test verdicts; nothing of the hidden tests).
Every string from a result goes through `html.escape`: messages and printed output come from
untrusted student code. In titles, messages and hints a Markdown `code` span (between
backticks) becomes `<code>`, its text escaped like the rest. A Content-Security-Policy backs
that up: no script, no request, no form, images only from `data:` URIs, and only the page's own
styles (by hash), so not even injected CSS could fake a score.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Callable, Iterable
from pathlib import Path

from autograders.reports import (
    format_points,
    notebook_file,
    notebook_status,
    notebook_view,
)
from autograders.results import GRADED, CheckResult, NotebookView, StudentResult

# The instructor's copy of the assignment in a checkout, whose diagrams the lesson's markdown
# links to (embedded as nbgrader's feedback embeds them), when no release folder is given.
ASSIGNMENT_FOLDER = Path(__file__).resolve().parents[2] / "source"

CSS = (
    """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;
  background:#f6f8fa;margin:0;padding:2rem 1rem}
main{max-width:52rem;margin:auto}
h1{font-size:1.5rem;margin:0}
h2{font-size:1.2rem;margin:0;display:flex;gap:.75rem;align-items:baseline;flex-wrap:wrap}
h3{font-size:1rem;margin:0 0 .5rem;display:flex;justify-content:space-between}
section,header{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;
  margin-bottom:1rem}
.question{border-left:4px solid #d0d7de;margin:1rem 0 0;padding:.75rem 1rem}
.question.full{border-left-color:#1a7f37}.question.partial{border-left-color:#bf8700}
.question.zero{border-left-color:#cf222e}
.score{font-size:2rem;font-weight:700}
.meter{height:.6rem;background:#eaeef2;border-radius:4px;overflow:hidden;margin:.5rem 0}
.meter div{height:100%;background:#1a7f37}
.muted{color:#656d76;font-size:.9rem}
.badge{font-size:.8rem;padding:.1rem .5rem;border-radius:1rem;background:#dafbe1;color:#1a7f37}
.badge.bad{background:#ffebe9;color:#cf222e}
.error{background:#ffebe9;border-color:#ff8182}
ul{list-style:none;padding:0;margin:0}
.check{padding:.5rem 0;border-top:1px solid #eaeef2}
.check-line{display:flex;gap:.5rem}.check-line .points{margin-left:auto;white-space:nowrap}
.mark{font-weight:700;width:1.2rem}.passed .mark{color:#1a7f37}.failed .mark{color:#cf222e}
.message{margin:.25rem 0 0 1.7rem;white-space:pre-wrap}
.hint{margin:.5rem 0 0 1.7rem;padding:.5rem .75rem;background:#fff8c5;border-radius:6px;
  white-space:pre-wrap}
details{margin:.5rem 0 0 1.7rem}summary{cursor:pointer;color:#0969da}
.question.pending{border-left-color:#8c959f}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eaeef2;
  padding:0 .25rem;border-radius:4px}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;overflow:auto;
  font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap}
.answer-link{font-size:.9rem;margin:.5rem 0 0}
a{color:#0969da}
"""
    + notebook_view.CSS
)


def content_security_policy(styles: Iterable[str]) -> str:
    """Defence in depth: even if some text slipped through unescaped, the browser runs no
    script, loads nothing but images inlined as `data:` URIs, submits no form, and applies no
    style but the page's own (`styles`: the `<style>` block and each `style` attribute, allowed
    by their hashes only)."""
    hashes = " ".join(f"'{_sha256(style)}'" for style in dict.fromkeys(styles))
    return (
        "default-src 'none'; base-uri 'none'; form-action 'none'; img-src data:; "
        f"style-src 'unsafe-hashes' {hashes}"
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def write_feedback(
    path: Path,
    result: StudentResult,
    *,
    assignment: str = "derivatives",
    hand_graded: dict[str, tuple[str, float]] | None = None,
    diagrams: Path | None = None,
) -> None:
    """Write `render_feedback_html(result)` to `path` as UTF-8. The lesson's diagrams come
    from `diagrams` (the release folder the grader was given), else from a checkout's source."""
    if diagrams is None or not diagrams.is_dir():
        diagrams = ASSIGNMENT_FOLDER / assignment
    page = render_feedback_html(
        result,
        assignment=assignment,
        hand_graded=hand_graded,
        diagrams=diagrams if diagrams.is_dir() else None,
    )
    Path(path).write_text(page, encoding="utf-8")


def render_feedback_html(
    result: StudentResult,
    *,
    assignment: str = "derivatives",
    hand_graded: dict[str, tuple[str, float]] | None = None,
    diagrams: Path | None = None,
) -> str:
    """The whole feedback page for one student, as a string.

    `hand_graded` maps each question graded by hand to (its notebook, its points); by default
    the registry's. They are shown as pending, never as earned. Each notebook of
    `result.views` is shown as graded; `diagrams` is the folder of the images its markdown
    links to (None: they stay links, which the page does not load).
    """
    pending = registry_manual() if hand_graded is None else hand_graded
    title = f"{assignment}: feedback for {result.student_id}"
    header, meter_style = _header(result, assignment, sum(p for _, p in pending.values()))
    sections = [header]
    if result.grader_error:
        sections.append(
            '<section class="error"><strong>The autograder itself failed on your submission.'
            "</strong> This is not your fault: your instructor has the details.</section>"
        )
    by_notebook = _group(result.checks, lambda check: check.notebook, first=list(result.notebooks))
    for notebook, checks in by_notebook.items():
        manual = {qid: points for qid, (nb, points) in pending.items() if nb == notebook}
        why = result.notebooks.get(notebook, GRADED)
        view = result.views.get(notebook)
        sections.append(_notebook_section(notebook, checks, why, manual, view, diagrams))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" '
        f'content="{content_security_policy([CSS, meter_style])}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def registry_manual() -> dict[str, tuple[str, float]]:
    """The registry's hand-graded questions: question id -> (notebook, points)."""
    from autograders.problems.manual import MANUAL  # the registry loads torch: only when used

    return {question.question_id: (question.notebook, question.points) for question in MANUAL}


def _header(result: StudentResult, assignment: str, pending: float) -> tuple[str, str]:
    """The page's header, and the one style attribute it uses (for the CSP)."""
    percent = 100 * result.total / result.max_total if result.max_total > 0 else 0
    meter_style = f"width:{min(max(percent, 0), 100):.1f}%"
    notebooks = "".join(
        f"<li>{_esc(notebook_file(name))}: {_status_badge(why)}</li>"
        for name, why in result.notebooks.items()
    )
    header = (
        f"<header><h1>{_esc(assignment)}: your autograded feedback</h1>"
        f'<p class="muted">Student: {_esc(result.student_id)}</p>'
        f'<div class="score">{_points(result.total, result.max_total)} points</div>'
        f'<div class="meter"><div style="{meter_style}"></div></div>'
        + (
            f'<p class="muted">+ {_unit(pending)} graded by hand, pending: '
            f"{format_points(result.max_total + pending)} points in all.</p>"
            if pending
            else ""
        )
        + f"<ul>{notebooks}</ul>"
        "</header>"
    )
    return header, meter_style


def _notebook_section(
    notebook: str,
    checks: list[CheckResult],
    why: str,
    manual: dict[str, float],
    view: NotebookView | None,
    diagrams: Path | None,
) -> str:
    earned = sum(check.points for check in checks)
    possible = sum(check.max_points for check in checks)
    questions = _group(checks, lambda check: check.question_id)
    shown = notebook_view.answered(view)
    blocks = "\n".join(
        [_question_block(qid, qchecks, qid in shown) for qid, qchecks in questions.items()]
        + [_pending_block(qid, points, qid in shown) for qid, points in manual.items()]
    )
    cells = notebook_view.notebook_view_html(notebook, view, checks, diagrams)
    return (
        f"<section><h2>{_esc(notebook_file(notebook))} {_status_badge(why)}"
        f'<span class="muted">{_points(earned, possible)} points</span></h2>\n{blocks}\n'
        f"{cells}\n</section>"
    )


def _question_block(question_id: str, checks: list[CheckResult], linked: bool) -> str:
    earned = sum(check.points for check in checks)
    possible = sum(check.max_points for check in checks)
    level = "full" if earned >= possible else "partial" if earned > 0 else "zero"
    items = "\n".join(_check_item(check) for check in checks)
    return (
        f'<div class="question {level}"><h3><span>{_esc(question_id)}</span>'
        f"<span>{_points(earned, possible)}</span></h3>\n<ul>\n{items}\n</ul>"
        f"{_answer_link(question_id) if linked else ''}</div>"
    )


def _pending_block(question_id: str, points: float, linked: bool) -> str:
    return (
        f'<div class="question pending"><h3><span>{_esc(question_id)}</span>'
        f"<span>pending / {format_points(points)}</span></h3>"
        f'<p class="muted">Graded by hand: your instructor reads this answer; its '
        f"{_unit(points)} {'is' if points == 1 else 'are'} not in the total above.</p>"
        f"{_answer_link(question_id) if linked else ''}</div>"
    )


def _answer_link(question_id: str) -> str:
    anchor = _esc(notebook_view.answer_anchor(question_id))
    return f'<p class="answer-link"><a href="#{anchor}">Your answer cell, as graded</a></p>'


def _unit(points: float) -> str:
    """ "1 point", "2 points", "0.5 points"."""
    return f"{format_points(points)} point{'' if points == 1 else 's'}"


def _check_item(check: CheckResult) -> str:
    state, mark = ("passed", "✓") if check.passed else ("failed", "✗")
    parts = [
        f'<li class="check {state}"><div class="check-line">'
        f'<span class="mark" aria-label="{state}">{mark}</span><span>{_md(check.title)}</span>'
        f'<span class="points">{_points(check.points, check.max_points)}</span></div>'
    ]
    if check.message:
        parts.append(f'<p class="message">{_md(check.message)}</p>')
    if check.hint:
        parts.append(f'<p class="hint"><strong>Likely mistake:</strong> {_md(check.hint)}</p>')
    if check.output:
        parts.append(
            "<details><summary>What your code printed</summary>"
            f"<pre>{_esc(check.output)}</pre></details>"
        )
    return "".join(parts) + "</li>"


def _status_badge(why: str) -> str:
    css_class = "badge" if why == GRADED else "badge bad"
    return f'<span class="{css_class}">{_esc(notebook_status(why))}</span>'


def _points(earned: float, possible: float) -> str:
    return f"{format_points(earned)} / {format_points(possible)}"


def _group(
    checks: Iterable[CheckResult],
    key: Callable[[CheckResult], str],
    first: Iterable[str] = (),
) -> dict[str, list[CheckResult]]:
    """Checks grouped by `key`, groups in order of first appearance (`first` keys come first)."""
    groups: dict[str, list[CheckResult]] = {name: [] for name in first}
    for check in checks:
        groups.setdefault(key(check), []).append(check)
    return groups


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _md(text: str) -> str:
    """Escaped text in which each `code span` (a pair of backticks) becomes <code>; an unpaired
    backtick stays as it is."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: the last one opens nothing
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    return "".join(
        f"<code>{_esc(part)}</code>" if index % 2 else _esc(part)
        for index, part in enumerate(parts)
    )
