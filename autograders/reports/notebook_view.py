"""The feedback page's view of each graded notebook: every cell as it was graded.

Below a notebook's results, a `<details>` (closed at first) shows the notebook cell by cell:

- markdown rendered and sanitised by the formgrader's own renderer (`inert_html.safe_markdown`:
  formulas as MathML, nothing active), the assignment's diagrams embedded as `data:` images
  when the instructor's folder is at hand (`embed_images`, as nbgrader's feedback does);
- code escaped in `<pre>`, then what it showed in the sandbox: printed text and errors as
  escaped text, a figure as an `<img>` of a `data:` URI once its bytes are checked to be base64
  of a PNG or JPEG (anything else shows as its text);
- a test cell's visible part (hidden regions removed when the view was made) and the verdict
  of its check; the grader ran its own checks, not this cell.

Each answer cell carries the anchor `answer-<question id>` the question blocks link to; a
browser opens the closed `<details>` when a link leads into it. The page's CSP allows images
from `data:` URIs only.
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
import re
from collections.abc import Iterable
from pathlib import Path

from autograders.nbgrader_plugin.embed_images import data_uri
from autograders.nbgrader_plugin.inert_html import safe_markdown
from autograders.reports import format_points, notebook_file
from autograders.results import CheckResult, NotebookView, ViewCell

IMAGE_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
MAX_IMAGE_BYTES = 2_000_000
MAX_EMBEDDED_DIAGRAM_BYTES = 2_000_000
MAX_CACHED_MARKDOWN = 4_000  # characters: a lesson's cell (1.5k here); a longer one is not kept
IMAGE_SOURCE = re.compile(r'(<img src=")([^"]*)(")')  # as nh3 writes it: quoted, escaped

CSS = """
details.notebook{margin:1rem 0 0;border-top:1px solid #d0d7de;padding-top:.5rem}
details.notebook>summary{font-weight:600}
.cell{margin:.75rem 0;padding:0 .25rem;scroll-margin-top:1rem}
.cell.answer{border-left:4px solid #0969da;padding-left:.75rem}
.cell.test{border-left:4px solid #8c959f;padding-left:.75rem}
.cell-label{font-size:.8rem;color:#656d76;margin:0 0 .25rem}
.cell pre{margin:.25rem 0}
.cell pre.output{background:#fff;border-style:dashed}
.cell pre.stderr{background:#fff8c5}.cell pre.error{background:#ffebe9}
.cell img{max-width:100%;height:auto}
.markdown h1,.markdown h2,.markdown h3,.markdown h4{display:block;margin:1rem 0 .5rem}
.markdown h1{font-size:1.3rem}.markdown h2{font-size:1.15rem}
.markdown h3,.markdown h4{font-size:1rem}
.markdown .anchor-link{display:none}
.markdown ul{list-style:disc;padding-left:1.5rem}.markdown ol{padding-left:1.5rem}
.markdown table{border-collapse:collapse}.markdown td,.markdown th{border:1px solid #d0d7de;
  padding:.2rem .5rem}
math[display=block]{margin:.5rem 0}
.verdict{margin:.25rem 0 0}
"""


def notebook_view_html(
    notebook: str,
    view: NotebookView | None,
    checks: Iterable[CheckResult],
    diagrams: Path | None = None,
) -> str:
    """The `<details>` that shows `notebook` as graded, or a line saying it cannot be shown.

    `checks` give the test cells their verdicts; `diagrams` is the instructor's assignment
    folder whose images markdown cells link to (None: those images stay links)."""
    name = html.escape(notebook_file(notebook))
    if view is None:
        return (
            f'<p class="muted">{name} could not be read, so it cannot be shown here: see the '
            "reason above.</p>"
        )
    verdicts = {check.test_id: check for check in checks}
    cells = "\n".join(_cell(cell, verdicts, diagrams) for cell in view.cells)
    return (
        f'<details class="notebook"><summary>Your notebook as graded: {name}</summary>\n'
        f"{cells}\n</details>"
    )


def answer_anchor(question_id: str) -> str:
    """The id of a question's answer cell on the page (question ids are registry names)."""
    return f"answer-{question_id}"


def answered(view: NotebookView | None) -> set[str]:
    """The questions whose answer cell the view shows (so that a link to it leads somewhere)."""
    return {cell.grade_id for cell in view.cells if cell.grade_id} if view else set()


def _cell(cell: ViewCell, verdicts: dict[str, CheckResult], diagrams: Path | None) -> str:
    if cell.kind == "markdown":
        cached = not cell.attachments and len(cell.source) <= MAX_CACHED_MARKDOWN
        body = (
            _lesson_markdown(cell.source)
            if cached
            else safe_markdown(cell.source, cell.attachments)
        )
        if diagrams is not None:
            body = IMAGE_SOURCE.sub(lambda found: _embedded(found, diagrams), body)
        return _wrap(cell, "markdown", "Your answer, graded by hand", body)
    if cell.kind == "test":
        verdict = _verdict(verdicts.get(cell.grade_id))
        return _wrap(cell, "test", "Test cell", _pre(cell.source) + verdict)
    if cell.kind == "raw":
        return f'<div class="cell raw">{_pre(cell.source)}</div>'
    outputs = "".join(_output(output) for output in cell.outputs)
    return _wrap(cell, "code", "Your answer", _pre(cell.source) + outputs)


@functools.lru_cache(maxsize=256)
def _lesson_markdown(source: str) -> str:
    """`safe_markdown`, remembered: every student's notebook repeats the lesson's cells, and
    rendering them is most of a page's cost. Bounded in entries and in their size, so a
    class's own cells cannot make it large."""
    return safe_markdown(source)


def _embedded(found: re.Match[str], diagrams: Path) -> str:
    """An `<img src="...">` of the sanitised HTML, its source replaced by the `data:` URI of
    the instructor's file it names (after sanitising: long URIs make markdown slow to parse)."""
    uri = _diagram_uri(diagrams, html.unescape(found.group(2)))
    return found.group(0) if uri is None else found.group(1) + uri + found.group(3)


@functools.lru_cache(maxsize=64)
def _diagram_uri(folder: Path, link: str) -> str | None:
    """`embed_images.data_uri`: the file's checks (inside `folder`, its type's leading bytes)."""
    return data_uri(folder, link, MAX_EMBEDDED_DIAGRAM_BYTES)


def _wrap(cell: ViewCell, kind: str, label: str, body: str) -> str:
    """The cell's `<div>`; an answer (a cell with a question's grade_id) gets its anchor."""
    if cell.grade_id and kind != "test":
        return (
            f'<div class="cell {kind} answer" id="{html.escape(answer_anchor(cell.grade_id))}">'
            f'<p class="cell-label">{label}: {html.escape(cell.grade_id)}</p>{body}</div>'
        )
    if kind == "test":
        return (
            f'<div class="cell test"><p class="cell-label">{label} {html.escape(cell.grade_id)}'
            f" (not run: the grader asks its own questions)</p>{body}</div>"
        )
    return f'<div class="cell {kind}">{body}</div>'


def _verdict(check: CheckResult | None) -> str:
    if check is None:
        return ""
    mark = "✓" if check.passed else "✗"
    points = f"{format_points(check.points)} / {format_points(check.max_points)}"
    return f'<p class="verdict">{mark} {html.escape(check.title)}: {points}</p>'


def _pre(text: str, kind: str = "") -> str:
    css = f' class="{kind}"' if kind else ""
    return f"<pre{css}>{html.escape(text, quote=False)}</pre>"


def _output(output: dict) -> str:
    """One nbformat output: a checked image, or text; student content either way."""
    kind = output.get("output_type")
    if kind == "stream":
        name = "output stderr" if output.get("name") == "stderr" else "output"
        return _pre(_text(output.get("text")), name)
    if kind == "error":
        return _pre(f"{_text(output.get('ename'))}: {_text(output.get('evalue'))}", "output error")
    data = output.get("data")
    if not isinstance(data, dict):
        return ""
    for mime in IMAGE_SIGNATURES:
        image = data.get(mime)
        image = image.rstrip("\n") if isinstance(image, str) else ""  # IPython ends it so
        if is_image(mime, image):
            return f'<img src="data:{mime};base64,{image}" alt="a figure your code drew">'
    return _pre(_text(data.get("text/plain")), "output") if data.get("text/plain") else ""


def is_image(mime: str, data: str) -> bool:
    """Whether `data` is strict base64 of an image of type `mime` (its leading bytes), small
    enough to embed. Strict: nothing but the base64 alphabet, so it cannot end the attribute."""
    if len(data) > (MAX_IMAGE_BYTES + 2) // 3 * 4:
        return False
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return raw.startswith(IMAGE_SIGNATURES[mime])


def _text(value: object) -> str:
    """A notebook's multiline string (a string, or a list of strings) as one string."""
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""
