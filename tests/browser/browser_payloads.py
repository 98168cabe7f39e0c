"""Submissions that attack the people who look at the work, and one honest submission.

Every payload, if it ran, would do two things a test can see from outside the page: set
`document.title` to `PWNED-<name>` and request `http://127.0.0.1:<port>/hit/<name>` from a
loopback listener the test runs. The style payload instead hides the score inputs and draws a
fixed "All tests passed" banner, which the test looks for in the rendered page.
"""

from __future__ import annotations

import base64
import shutil
import struct
import zlib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HONEST, HOSTILE = "alice", "mallory"
# A folder name nbgrader would write into its pages as is; the closing `>` ends the attribute.
HOSTILE_ID = "\"><svg onload=document.title='PWNED-student_id'>"
BANNER = "All tests passed"


def red_png(size: int = 4) -> str:
    """A small red PNG, base64: an honest data: image with a size the page can measure."""
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    return base64.b64encode(png + chunk(b"IEND", b"")).decode()


HONEST_MARKDOWN = f"""## Honest check: $f'(x) = 2x$

$$\\frac{{\\partial f}}{{\\partial u}} = v + 2u$$

| x | f(x) |
|:--|-----:|
| 1 | 2 |

![red dot](data:image/png;base64,{red_png()})

```python
y = x.detach().numpy()
```

See the [autograd docs](https://pytorch.org/docs/stable/autograd.html) and `x.grad`.
"""


def run(name: str, port: int) -> str:
    """JavaScript that marks the page and calls the listener: proof that `name` ran."""
    return f"document.title='PWNED-{name}';fetch('http://127.0.0.1:{port}/hit/{name}')"


def payload_cells(port: int) -> dict[str, str]:
    """payload name -> the markdown of a cell that carries it."""
    return {
        "img_onerror": f'Look: <img src="missing.png" onerror="{run("img_onerror", port)}">',
        "script": f"<script>{run('script', port)}</script>",
        "svg_onload": f'<svg onload="{run("svg_onload", port)}"><circle r="4"/></svg>',
        "iframe_srcdoc": (
            f'<iframe srcdoc="<script>parent.{run("iframe_srcdoc", port)}</script>"></iframe>'
        ),
        "js_link": f"[js-link-payload](javascript:{run('js_link', port)})",
        "data_link": (
            '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data-link-payload</a>'
        ),
        "form": f'<form action="http://127.0.0.1:{port}/hit/form"><button>form-payload</button></form>',
        "style": (
            "<style>input.score, .scoring-buttons {display: none !important}</style>"
            '<div class="alert alert-success navbar-fixed-top" style="position:fixed;top:0;'
            f'left:0;width:100%;z-index:9999">{BANNER}</div>'
        ),
        "meta_refresh": f'<meta http-equiv="refresh" content="0;url=http://127.0.0.1:{port}/hit/meta">',
    }


RICH_OUTPUT_TEXT = "rich-output-payload"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def rich_output_cell(port: int) -> nbformat.NotebookNode:
    """A code cell that publishes HTML, SVG, JavaScript and markdown that would run the
    payload, with a plain-text alternative, and is handed in with that output saved (as
    JupyterLab saves it): only the text may reach a page."""
    bundle = {
        "text/html": f'<img src="x" onerror="{run("rich_html", port)}"><b>rich</b>',
        "image/svg+xml": f'<svg xmlns="{SVG_NAMESPACE}" onload="{run("rich_svg", port)}"/>',
        "application/javascript": run("rich_js", port),
        "text/markdown": f"<script>{run('rich_markdown', port)}</script>",
        "text/plain": RICH_OUTPUT_TEXT,
    }
    source = f"from IPython.display import display\n\ndisplay({bundle!r}, raw=True)\n"
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("display_data", bundle)]
    return cell


# An honest scratch cell that draws: its figure is an image under the cell in the formgrader.
HONEST_PLOT = """fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([0, 1, 2], [0, 1, 4], label="honest-plot")
ax.legend()
plt.show()
"""

NOTES_HTML = "<html><body><script>{js}</script>notes</body></html>"
# Wraps the student's answer so that a call prints HTML into the captured output.
PRINTING_ANSWER = """

_honest_derivative_at = derivative_at


def derivative_at(f, x0):
    print({html})
    return _honest_derivative_at(f, x0)
"""


def build_class(submitted: Path, port: int) -> None:
    """`submitted/` with alice (honest, one extra cell of honest markdown), mallory (every
    payload, in her hand-graded answer, extra cells, a printed output and a handed-in HTML
    file), and a folder named with a hostile id."""
    sample = ROOT / "samples" / "submitted" / HONEST
    for student in (HONEST, HOSTILE, HOSTILE_ID):
        shutil.copytree(sample, submitted / student)
    _edit(
        submitted / HONEST,
        lambda nb: nb.cells.extend(
            [_markdown(HONEST_MARKDOWN), nbformat.v4.new_code_cell(HONEST_PLOT)]
        ),
    )
    _edit(submitted / HOSTILE, lambda nb: _add_payloads(nb, port))
    notes = NOTES_HTML.format(js=run("student_file", port))
    (submitted / HOSTILE / "derivatives" / "notes.html").write_text(notes, encoding="utf-8")


def _add_payloads(nb: nbformat.NotebookNode, port: int) -> None:
    cells = payload_cells(port)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "why_detach":
            answer = [cells["img_onerror"], cells["script"], "[notes](notes.html)"]
            cell.source = "\n\n".join(answer)
        elif grade_id == "derivative_at":
            printed = f'<img src=x onerror="{run("printed", port)}">'
            cell.source += PRINTING_ANSWER.format(html=repr(printed))
    nb.cells.extend(_markdown(source) for source in cells.values())
    nb.cells.append(rich_output_cell(port))


def _edit(student: Path, change) -> None:
    path = student / "derivatives" / "derivatives.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def _markdown(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)
