"""Chromium opens the feedback a student gets, from both front ends: no payload runs.

A control first: the same hostile notebook rendered by stock nbconvert does run its payloads in
this browser, so the detectors (title, listener) see a payload that runs.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest
from nbconvert import HTMLExporter

from tests.assignment.assignment_support import tool_env
from tests.browser.browser_payloads import (
    HONEST,
    HONEST_MARKDOWN,
    HOSTILE,
    HOSTILE_ID,
    RICH_OUTPUT_TEXT,
)

pytestmark = pytest.mark.slow


def open_file(page, path) -> str:
    """Open a local HTML file, let its handlers and timers run; the page's title."""
    page.goto(path.as_uri())
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    return page.title()


def test_control_stock_nbconvert_runs_the_payloads(browser, listener, graded, tmp_path) -> None:
    submitted = graded.root / "submitted" / HOSTILE / "derivatives" / "derivatives.ipynb"
    html, _ = HTMLExporter().from_filename(str(submitted))  # stock markdown2html, raw HTML
    stock = tmp_path / "stock.html"
    stock.write_text(html, encoding="utf-8")
    first = len(listener.hits)
    page = browser.new_page()
    try:
        title = open_file(page, stock)
    finally:
        page.close()
    ran = {hit.rsplit("/", 1)[-1] for hit in listener.hits[first:]}
    del listener.hits[first:]  # the control's own hits must not fail other tests
    assert title.startswith("PWNED-")
    assert {"img_onerror", "script", "svg_onload", "iframe_srcdoc"} <= ran


@pytest.mark.parametrize("notebook", ["derivatives", "partial_derivatives", "custom_backward"])
def test_nbgrader_feedback_runs_nothing(page, graded, notebook, screenshots) -> None:
    feedback = graded.root / "feedback" / HOSTILE / "derivatives" / f"{notebook}.html"
    assert not open_file(page, feedback).startswith("PWNED")
    for tag in ("script", "iframe", "svg", "form", "object", "embed"):
        assert page.locator(f"#notebook-container {tag}").count() == 0, tag
    if notebook == "derivatives":
        # published HTML, SVG, JavaScript and markdown: their plain text only
        assert page.locator(".output_area", has_text=RICH_OUTPUT_TEXT).count() == 1
        page.screenshot(path=screenshots / "nbgrader-feedback-hostile.png", full_page=True)


def test_nbgrader_feedback_shows_honest_markdown(page, graded) -> None:
    feedback = graded.root / "feedback" / HONEST / "derivatives" / "derivatives.html"
    open_file(page, feedback)
    cell = page.locator(".text_cell_render", has_text="Honest check")
    assert cell.locator("table td", has_text="2").count() == 1
    assert cell.locator('img[alt="red dot"]').evaluate("img => img.naturalWidth") == 4
    assert "detach" in cell.locator(".highlight pre").inner_text()
    assert "y = x.detach().numpy()" in HONEST_MARKDOWN  # what the block above shows
    plot = page.locator("div.cell").filter(has=page.locator(".input", has_text="honest-plot"))
    figure = plot.locator(".output_area img")  # the student's own figure
    assert figure.evaluate("img => img.complete && img.naturalWidth") > 100


@pytest.fixture(scope="session")
def cli_graded(graded, tmp_path_factory):
    """`python -m autograders grade` over the same class, hostile folder name included."""
    submitted = tmp_path_factory.mktemp("cli-class")
    for student in (HONEST, HOSTILE, HOSTILE_ID):
        shutil.copytree(graded.root / "submitted" / student, submitted / student)
    out = submitted.parent / (submitted.name + "-out")
    run = subprocess.run(
        [sys.executable, "-m", "autograders", "grade", str(submitted), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=tool_env(),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out, run.stderr


def test_cli_sets_the_hostile_folder_aside(cli_graded) -> None:
    out, stderr = cli_graded
    assert "not a valid student id" in stderr and "<svg" not in stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        students = {row["student_id"] for row in csv.DictReader(handle)}
    assert students == {HONEST, HOSTILE}


def test_cli_feedback_runs_nothing(page, cli_graded, screenshots) -> None:
    out, _ = cli_graded
    assert not open_file(page, out / HOSTILE / "feedback.html").startswith("PWNED")
    open_notebooks(page)  # the payloads in her notebook's cells and outputs are in view now
    page.wait_for_timeout(500)
    assert not page.title().startswith("PWNED")
    assert page.locator("script, svg, iframe, form, object, embed").count() == 0
    # her <img src="missing.png"> stays (sanitised), but the page's CSP loads data: only
    images = page.locator("img").evaluate_all(
        "images => images.map(i => [i.src, i.complete && i.naturalWidth])"
    )
    loaded = [source for source, width in images if width]
    assert loaded and all(source.startswith("data:image/") for source in loaded), images
    assert page.locator("details.notebook", has_text=RICH_OUTPUT_TEXT).count() == 1
    weight = page.locator(".score").evaluate("score => getComputedStyle(score).fontWeight")
    assert weight == "700", "the page's own stylesheet is blocked: its hash in the CSP is wrong"
    page.get_by_text("What your code printed").first.click()
    assert "onerror" in page.locator("details pre").first.inner_text()  # shown as text
    page.screenshot(path=screenshots / "cli-feedback-hostile.png", full_page=True)


def open_notebooks(page) -> None:
    """Open every notebook's <details>, as a student clicking each closed summary would."""
    for details in page.locator("details.notebook").all():
        if details.get_attribute("open") is None:
            details.locator("> summary").click()


def test_cli_feedback_shows_the_notebook_as_graded(page, cli_graded, screenshots) -> None:
    out, _ = cli_graded
    open_file(page, out / HONEST / "feedback.html")
    notebook = page.locator("details.notebook").first
    assert notebook.get_attribute("open") is None  # collapsed at first
    page.get_by_role("link", name="Your answer cell, as graded").first.click()
    assert notebook.get_attribute("open") is not None  # the link opened it
    assert page.locator("#answer-derivative_at").is_visible()
    open_notebooks(page)
    figures = page.locator('details.notebook img[alt="a figure your code drew"]')
    assert figures.count() >= 2  # a worked example's plot and the student's honest-plot
    widths = figures.evaluate_all("images => images.map(i => i.complete && i.naturalWidth)")
    assert all(width > 100 for width in widths), widths
    diagram = page.locator('img[alt^="The attributes of x and y"]')  # the lesson's, embedded
    assert diagram.evaluate("img => img.complete && img.naturalWidth") > 100
    assert page.locator("details.notebook pre.output").count() > 0  # what worked examples printed
    formula = page.locator(".cell.markdown math", has_text="f").first
    assert formula.evaluate("m => m.getBoundingClientRect().width") > 0
    assert "$f'(x)" not in page.locator("details.notebook").first.inner_text()
    tests = page.locator(".cell.test").all_inner_texts()
    assert tests and not any("HIDDEN TESTS" in text for text in tests)
    figures.first.scroll_into_view_if_needed()  # a worked example, its plot under its code
    page.screenshot(path=screenshots / "cli-feedback-notebook.png")


def test_nbgrader_feedback_renders_math_without_mathjax(page, graded) -> None:
    feedback = graded.root / "feedback" / HONEST / "derivatives" / "derivatives.html"
    open_file(page, feedback)
    cell = page.locator(".text_cell_render", has_text="Honest check")
    assert cell.locator("math").count() == 2  # inline and display, as MathML
    widths = cell.locator("math").evaluate_all(
        "maths => maths.map(m => m.getBoundingClientRect().width)"
    )
    assert all(width > 0 for width in widths), widths
    assert "$f'(x)" not in cell.inner_text()
