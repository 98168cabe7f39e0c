"""What a cell shows reaches the grader in order, as JupyterLab would show it: prints, and each
figure as a PNG rendered by the inline backend (at `plt.show()` and at the end of the cell),
while HTML, SVG and JavaScript come as their text only. Real cells in the real sandbox."""

from __future__ import annotations

import base64
import struct

import pytest
from sandboxed_notebook import run_cells, variables

from autograders.cell_outputs import notebook_outputs
from autograders.sandbox import images, messages
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.host.session import NotebookRun, Question
from autograders.sandbox.limits import Limits

pytestmark = pytest.mark.slow

PLOTS = """
import matplotlib.pyplot as plt
print("before")
plt.plot([0, 1], [1, 0])
plt.title("first")
plt.show()
print("between")
plt.plot([0, 1], [0, 1])
plt.show()
print("after")
plt.plot([0, 2], [0, 4]);
"""
RICH = """
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML("<b id='x'>bold</b><script>alert(1)</script>"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"))
display(Javascript("alert(1)"))
display(Markdown("*soft*"))
display({"text/html": "<img src=x onerror=alert(1)>", "text/plain": "raw"}, raw=True)
"""
LAST_VALUE = """
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3])
fig
"""
NOT_SHOWN = """
hidden = plt.figure()
plt.plot([1, 2])
plt.close(hidden)
print("nothing to show")
"""
# 25 figures shown in one cell, then 20 in each of two more: past the caps (20 a cell, 50 a
# notebook) a figure is not even rendered, and shows as its text
MANY = """
for i in range({count}):
    plt.figure(figsize=(1, 1))
    plt.plot([0, i])
    plt.show()
"""
READ = Question("read", [{"test_id": "read", "probes": [variables("plt")]}])


@pytest.fixture(scope="module")
def run() -> NotebookRun:
    with Sandbox(Limits(), workers=1) as sandbox:
        many = [MANY.format(count=count) for count in (25, 20, 20)]
        return run_cells(sandbox, [PLOTS, RICH, LAST_VALUE, NOT_SHOWN, *many], [READ])


def kinds(outputs: list[dict]) -> list[str]:
    return [
        o["name"] if o["type"] == "stream" else "png" if "png" in o else "text" for o in outputs
    ]


def png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", raw[16:24])  # the IHDR chunk's width and height


def test_prints_and_figures_come_in_order_one_png_per_show(run: NotebookRun) -> None:
    outputs = run.cells[0]["outputs"]
    assert kinds(outputs) == ["stdout", "png", "stdout", "png", "stdout", "png"]
    assert [o["text"] for o in outputs if o["type"] == "stream"] == [
        "before\n",
        "between\n",
        "after\n",
    ]
    figures = [o for o in outputs if "png" in o]
    assert {o["text"] for o in figures} == {"<Figure size 640x480 with 1 Axes>"}
    assert len({o["png"] for o in figures}) == 3  # three different pictures
    # JupyterLab's rendering: 640x480 at 100 dpi, cropped to the drawing (bbox_inches="tight")
    width, height = png_size(figures[0]["png"])
    assert 450 < width < 640 and 350 < height < 480


def test_rich_outputs_come_as_their_text_only(run: NotebookRun) -> None:
    outputs = run.cells[1]["outputs"]
    assert kinds(outputs) == ["text"] * 5
    texts = [o["text"] for o in outputs]
    assert texts[:4] == [
        "<IPython.core.display.HTML object>",
        "<IPython.core.display.SVG object>",
        "<IPython.core.display.Javascript object>",
        "<IPython.core.display.Markdown object>",
    ]
    assert texts[4] == "raw"
    made = notebook_outputs(run.cells[1])
    assert all(list(o["data"]) == ["text/plain"] for o in made)


def test_a_figure_as_the_cells_value_is_shown_as_jupyter_shows_it(run: NotebookRun) -> None:
    """The value (an `execute_result` in a kernel) and the end-of-cell flush: two images."""
    outputs = run.cells[2]["outputs"]
    assert kinds(outputs) == ["png", "png"]
    assert outputs[0]["text"] == "<Figure size 300x200 with 1 Axes>"


def test_a_closed_figure_is_not_shown(run: NotebookRun) -> None:
    assert kinds(run.cells[3]["outputs"]) == ["stdout"]


def test_the_autograded_notebook_gets_display_data_with_png(run: NotebookRun) -> None:
    made = notebook_outputs(run.cells[0])
    assert [o["output_type"] for o in made] == ["stream", "display_data"] * 3
    assert all(set(o["data"]) == {"text/plain", "image/png"} for o in made[1::2])


def test_figures_past_the_caps_show_as_text(run: NotebookRun) -> None:
    shown = [kinds(run.cells[index]["outputs"]) for index in (4, 5, 6)]
    earlier = sum(messages.images_in(run.cells[index]["outputs"]) for index in range(4))
    assert shown[0] == ["png"] * images.MAX_IMAGES_PER_CELL + ["text"] * 5
    assert shown[1] == ["png"] * 20
    left = images.MAX_IMAGES_PER_NOTEBOOK - earlier - 2 * images.MAX_IMAGES_PER_CELL
    assert shown[2] == ["png"] * left + ["text"] * (20 - left)
    texts = {o["text"] for o in run.cells[4]["outputs"]}
    assert texts == {"<Figure size 100x100 with 1 Axes>"}  # not a note: never rendered
