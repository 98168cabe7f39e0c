"""A notebook open in JupyterLab, read and run through what the page shows.

Cells are found by their position: the page lists a notebook's cells in the order of the file,
so the nbgrader metadata read from the file (which the page does not show) names each one.
Running uses the Run menu, as a student does. A cell that raises stops JupyterLab's Run All
unless it is tagged `raises-exception`; `run_everything` goes on from the first cell that did
not run, with "Run Selected Cell and All Below", until every code cell has run, and says where
Run All stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests.browser.jupyterlab import Lab

CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
IDLE = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']"
FINISHED = """(cells) => {
    const prompts = [...document.querySelectorAll(cells)]
        .filter(cell => cell.classList.contains('jp-CodeCell'))
        .map(cell => cell.querySelector('.jp-InputPrompt').innerText);
    return prompts.length > 0 && !prompts.some(text => text.includes('*'));
}"""
RUN_TIMEOUT_MS = 150_000
KERNEL_IDLE = re.compile(r"Python 3.*\| Idle")


@dataclass
class Question:
    """An nbgrader answer cell and the test cells that follow it (positions in the notebook)."""

    grade_id: str
    answer: int
    tests: list[int]


def questions(path: Path) -> list[Question]:
    """The notebook's code answers with their test cells (`<grade_id>_test...`), in order."""
    cells = nbformat.read(path, as_version=4).cells
    found: list[Question] = []
    for index, cell in enumerate(cells):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if cell.cell_type == "code" and meta.get("solution"):
            found.append(Question(grade_id, index, []))
        elif meta.get("grade") and found and grade_id.startswith(f"{found[-1].grade_id}_test"):
            found[-1].tests.append(index)
    return found


def open_notebook(page, lab: Lab, name: str) -> None:
    """Open `name` (relative to the lab's root) and wait until its kernel is idle."""
    page.goto(lab.address(f"/lab/tree/{name}?reset"))  # no other notebook restored
    page.wait_for_selector(CELLS, timeout=90_000)
    # The execution indicator says idle before a kernel exists; the status bar waits for one.
    kernel_idle = page.locator(".jp-StatusBar-Widget").filter(has_text=KERNEL_IDLE)
    kernel_idle.first.wait_for(timeout=90_000)


def cell(page, index: int):
    return page.locator(CELLS).nth(index)


def output_text(page, index: int) -> str:
    """The text under the cell at `index` (its outputs), "" when it has none."""
    outputs = cell(page, index).locator(".jp-OutputArea")
    return outputs.inner_text() if outputs.count() else ""


def _run_from_menu(page, command: str) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator(f"li[data-command='{command}']").click()


def _first_unrun(page) -> int | None:
    prompts = page.locator(CELLS).evaluate_all(
        "cells => cells.map(c => c.classList.contains('jp-CodeCell') ?"
        " c.querySelector('.jp-InputPrompt').innerText : '')"
    )
    return next((i for i, text in enumerate(prompts) if "[ ]" in text), None)


def wait_until_finished(page) -> None:
    """Wait until no code cell is running or queued ([*]) and the kernel is idle."""
    page.wait_for_function(FINISHED, arg=CELLS, timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=RUN_TIMEOUT_MS)


def run_everything(page) -> list[int]:
    """Run All from the Run menu, then go on past each cell that stopped it: the positions of
    those cells (the last code cell that ran before the first one that did not)."""
    _run_from_menu(page, "runmenu:run-all")
    page.wait_for_timeout(500)  # the first cell is queued before FINISHED can be false
    wait_until_finished(page)
    stopped_at: list[int] = []
    while (unrun := _first_unrun(page)) is not None:
        stopped_at.append(_last_code_cell_before(page, unrun))
        assert len(stopped_at) < 40, "cells stay unrun however often they are started"
        cell(page, unrun).locator(".jp-InputPrompt").click()
        _run_from_menu(page, "notebook:run-all-below")
        page.wait_for_timeout(500)
        wait_until_finished(page)
    return stopped_at


def _last_code_cell_before(page, index: int) -> int:
    kinds = page.locator(CELLS).evaluate_all(
        "cells => cells.map(c => c.classList.contains('jp-CodeCell'))"
    )
    return max(i for i in range(index) if kinds[i])


def broken_images(page) -> list[str]:
    """The sources of the images on the page that did not load (naturalWidth 0)."""
    page.wait_for_function(
        "() => [...document.images].every(image => image.complete)", timeout=30_000
    )
    return page.locator(f"{CELLS} img").evaluate_all(
        "images => images.filter(i => !(i.naturalWidth > 0)).map(i => i.src.slice(0, 120))"
    )


def lesson_images(page) -> dict[str, int]:
    """The markdown cells' images served from files (not data: URLs): path -> naturalWidth.

    JupyterLab rewrites `images/x.png` into `/files/images/x.png?...`; the path is given back
    relative to the lab's root, `images/x.png`.
    """
    return page.locator(f"{CELLS} .jp-RenderedMarkdown img").evaluate_all(
        "images => Object.fromEntries(images"
        ".filter(i => i.src.includes('/files/'))"
        ".map(i => [decodeURIComponent(new URL(i.src).pathname.split('/files/')[1]),"
        " i.naturalWidth]))"
    )


def markdown_image_paths(path: Path) -> set[str]:
    """The relative image paths the notebook's markdown cells show (`![...](images/x.png)`)."""
    cells = nbformat.read(path, as_version=4).cells
    text = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    return set(re.findall(r"!\[[^\]]*\]\((images/[^)\s]+)\)", text))
