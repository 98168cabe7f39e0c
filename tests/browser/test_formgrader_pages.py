"""Chromium opens every formgrader page of a hostile student: no payload runs, honest work shows.

The class is graded by `nbgrader autograde` with the committed configuration (see conftest.py);
the pages are served by a real `jupyter server` with the committed jupyter_server_config.py.
A payload that ran would set the page title to `PWNED-...` or call the loopback listener (the
`page` fixture fails the test on any call or dialog).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.browser.browser_payloads import (
    BANNER,
    HONEST,
    HONEST_MARKDOWN,
    HOSTILE,
    HOSTILE_ID,
    RICH_OUTPUT_TEXT,
)

pytestmark = pytest.mark.slow
NOTEBOOKS = ("derivatives", "partial_derivatives", "custom_backward")
CRAFTED = urllib.parse.quote(HOSTILE_ID.replace("student_id", "url"), safe="")  # in a link


def submission_ids(course, student: str) -> dict[str, str]:
    """notebook -> the id of the student's submitted notebook in the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission("derivatives", student)
        return {notebook.name: notebook.id for notebook in submission.notebooks}


def visit(page, formgrader, path: str):
    """Open `path` of the formgrader, logged in by the token; the response's status."""
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{formgrader.url}{path}{separator}token={formgrader.token}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # event handlers of late images, timers
    assert not page.title().startswith("PWNED"), f"{path}: a payload ran ({page.title()})"
    return response.status


def test_a_hostile_student_id_is_refused_before_the_gradebook(graded) -> None:
    assert "not a valid student id" in graded.autograde_log
    assert "<svg" not in graded.autograde_log  # the log shows the name escaped
    assert graded.students == {HONEST, HOSTILE}
    assert not (graded.root / "autograded" / HOSTILE_ID).exists()


def test_the_stored_autograded_notebooks_are_inert(graded) -> None:
    """Markdown and rich outputs hold nothing active (code is shown as highlighted text)."""
    path = graded.root / "autograded" / HOSTILE / "derivatives" / "derivatives.ipynb"
    notebook = nbformat.read(path, as_version=4)
    rendered = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            rendered += [str(value) for kind, value in output.get("data", {}).items()]
    text = "\n".join(rendered).lower()
    for marker in ("<script", "onerror", "onload", "<iframe", "javascript:", "<style", "<form"):
        assert marker not in text, f"{marker} is still in the autograded notebook"
    assert "made inert" in graded.autograde_log
    (rich,) = [cell for cell in notebook.cells if RICH_OUTPUT_TEXT in cell.source]
    assert [output.get("data") for output in rich.outputs] == [{"text/plain": RICH_OUTPUT_TEXT}]


def test_honest_markdown_is_stored_byte_for_byte(graded) -> None:
    path = graded.root / "autograded" / HONEST / "derivatives" / "derivatives.ipynb"
    sources = [cell.source for cell in nbformat.read(path, as_version=4).cells]
    assert HONEST_MARKDOWN in sources


@pytest.mark.parametrize(
    "path",
    [
        "/formgrader/manage_assignments",
        "/formgrader/manage_submissions/derivatives",
        "/formgrader/gradebook",
        "/formgrader/gradebook/derivatives",
        *(f"/formgrader/gradebook/derivatives/{notebook}" for notebook in NOTEBOOKS),
        "/formgrader/manage_students",
        f"/formgrader/manage_students/{HOSTILE}",
        f"/formgrader/manage_students/{HOSTILE}/derivatives",
    ],
)
def test_lists_and_student_pages_run_nothing(page, formgrader, graded, path) -> None:
    _add_hostile_id_to_gradebook(graded.root)  # as `nbgrader db student add` would
    assert visit(page, formgrader, path) == 200
    assert page.locator("table").count() > 0  # the page did render its table


def _add_hostile_id_to_gradebook(course) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_student(HOSTILE_ID, first_name="<b>x</b>")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_hostile_submission_pages_run_nothing(page, formgrader, graded, notebook, screenshots):
    submission = submission_ids(graded.root, HOSTILE)[notebook]
    assert visit(page, formgrader, f"/formgrader/submissions/{submission}/") == 200
    container = page.locator("#notebook-container")
    for tag in ("script", "iframe", "svg", "form", "style", "object", "embed", "meta"):
        assert container.locator(tag).count() == 0, f"a <{tag}> from the submission is on the page"
    for link in page.get_by_text("js-link-payload").all() + page.get_by_text("data-link").all():
        link.click()
        page.wait_for_timeout(300)
        assert not page.title().startswith("PWNED")
    if notebook == "derivatives":
        # the published HTML, SVG and JavaScript show as their plain text, and run nothing
        assert container.locator(".output_area", has_text=RICH_OUTPUT_TEXT).count() == 1
        _the_grading_interface_is_intact(page)
        page.screenshot(path=screenshots / "formgrader-hostile-submission.png", full_page=True)
        page.get_by_text("js-link-payload").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / "formgrader-hostile-answer.png")  # what a person sees


def _the_grading_interface_is_intact(page) -> None:
    """The style payload neither hides the score inputs nor draws a fixed banner."""
    scores = page.locator("input.score")
    assert scores.count() > 0 and all(score.is_visible() for score in scores.all())
    for banner in page.get_by_text(BANNER).all():
        position = banner.evaluate("element => getComputedStyle(element).position")
        assert position != "fixed", "the fake banner is drawn over the page"


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own API
def test_a_submission_of_an_invalid_id_is_not_shown(page, formgrader, graded) -> None:
    """One in the gradebook anyway (graded by stock nbgrader, say) gets a refusal, not a page."""
    with Gradebook(f"sqlite:///{graded.root / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_student(HOSTILE_ID)
        notebook = gradebook.update_or_create_submission("derivatives", HOSTILE_ID).notebooks[0]
        submission = notebook.id
    assert visit(page, formgrader, f"/formgrader/submissions/{submission}/") == 403


def test_a_handed_in_html_file_is_sandboxed(page, formgrader, graded) -> None:
    submission = submission_ids(graded.root, HOSTILE)["derivatives"]
    assert visit(page, formgrader, f"/formgrader/submissions/{submission}/notes.html") == 200
    assert page.locator("body").inner_text().strip() == "notes"


@pytest.mark.parametrize(
    "path",
    [
        "/formgrader/manage_students/{bad}",
        "/formgrader/manage_students/{bad}/derivatives",
        "/formgrader/manage_students/mallory/{bad}",
        "/formgrader/manage_submissions/{bad}",
        "/formgrader/gradebook/{bad}",
        "/formgrader/gradebook/derivatives/{bad}",
    ],
)
def test_crafted_urls_are_refused(page, formgrader, path) -> None:
    assert visit(page, formgrader, path.format(bad=CRAFTED)) == 400
    assert "Not a valid name in this URL" in page.locator("body").inner_text()


def test_control_stock_formgrader_runs_a_crafted_url(browser, stock_formgrader) -> None:
    """Without the guard, nbgrader 0.9.6 runs the script in the link (what the guard is for)."""
    tab = browser.new_page()
    try:
        url = f"{stock_formgrader.url}/formgrader/manage_students/{CRAFTED}"
        tab.goto(f"{url}?token={stock_formgrader.token}")
        tab.wait_for_load_state("networkidle")
        assert tab.title() == "PWNED-url"
    finally:
        tab.close()


def test_the_honest_submission_renders_as_written(page, formgrader, graded, screenshots):
    submission = submission_ids(graded.root, HONEST)["derivatives"]
    assert visit(page, formgrader, f"/formgrader/submissions/{submission}/") == 200
    cell = page.locator(".text_cell_render", has_text="Honest check")
    assert cell.locator("table td", has_text="2").count() == 1
    assert cell.locator("td").first.evaluate("td => getComputedStyle(td).textAlign") == "left"
    image = cell.locator('img[alt="red dot"]')
    assert image.evaluate("img => img.complete && img.naturalWidth") == 4
    assert "detach" in cell.locator(".highlight pre").inner_text()
    assert cell.locator('a[href="https://pytorch.org/docs/stable/autograd.html"]').count() == 1
    assert cell.locator("code", has_text="x.grad").count() == 1
    # formulas are MathML from the server (MathJax, if it loads, may typeset them again)
    widths = cell.locator("math").evaluate_all("ms => ms.map(m => m.getBoundingClientRect().width)")
    mathjax = cell.locator(".MathJax, mjx-container, .MathJax_Display").count()
    assert mathjax > 0 or (len(widths) == 2 and min(widths) > 0), "LaTeX is missing"
    page.screenshot(path=screenshots / "formgrader-honest-submission.png", full_page=True)
    cell.screenshot(path=screenshots / "formgrader-honest-cell.png")


def test_the_students_figures_show_under_their_cells(page, formgrader, graded, screenshots):
    """The worked example's figure and the student's own, inlined as data: PNGs, which the
    guard's CSP allows (`img-src 'self' data:`)."""
    submission = submission_ids(graded.root, HONEST)["derivatives"]
    assert visit(page, formgrader, f"/formgrader/submissions/{submission}/") == 200
    for source in ('label="sin(x)"', 'label="honest-plot"'):
        cell = page.locator("div.cell").filter(has=page.locator(".input", has_text=source))
        figure = cell.locator(".output_area img")
        assert figure.count() == 1, source
        assert figure.get_attribute("src").startswith("data:image/png;base64,")
        assert figure.evaluate("img => img.complete && img.naturalWidth") > 100, source
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=screenshots / "formgrader-student-figure.png")


def test_the_server_serves_the_guard(formgrader) -> None:
    """The guard is what refuses the crafted URLs (not, say, a 404 of a missing route)."""
    url = f"{formgrader.url}/formgrader/manage_students/%3Cb%3E?token={formgrader.token}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 400
    assert b"Not a valid name in this URL" in refused.value.read()
