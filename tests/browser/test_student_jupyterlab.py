"""A student's JupyterLab in Chromium: the release as handed out, then with correct answers.

JupyterLab serves a temporary copy of release/derivatives/ on 127.0.0.1 (never the committed
release, which opening would change). Every notebook is run from the Run menu as a student
does. As released, every visible test of an unanswered question shows an error under it that
names what the student has to write, and the lesson's diagrams and plots render. Filled with
the instructor's solutions, every visible test prints its "pass" line, and nbgrader's own
Validate button (the nbgrader JupyterLab extension) reports success.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.assignment.assignment_support import NOTEBOOKS, RELEASE
from tests.browser import lab_notebook as nb
from tests.browser.exchange_course import answer_everything
from tests.browser.jupyterlab import disable_instructor_extensions, jupyter_lab

pytestmark = pytest.mark.slow
VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
PASS_LINE = re.compile(r"\bpass(es)?\b")
# "SomethingError: " then a sentence of at least four words (not a bare NotImplementedError).
TEACHING = re.compile(r"^\w+(Error|Exception): (\S+ ){3,}", flags=re.M)


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab over two copies of the release: `as-released/` and `answered/`."""
    root = tmp_path_factory.mktemp("student-lab")
    shutil.copytree(RELEASE, root / "as-released")
    shutil.copytree(RELEASE, root / "answered")
    answer_everything(root / "answered")  # Validate also wants the written why_detach
    home = tmp_path_factory.mktemp("student-home")
    disable_instructor_extensions(home)  # as docs/students.md says
    with jupyter_lab(root, home) as lab:
        yield lab


@pytest.fixture
def lab_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def defined_names(source: str) -> list[str]:
    """What an answer cell asks the student to write: its functions, classes and variables."""
    return re.findall(r"^(?:def|class)\s+(\w+)|^(\w+)\s*=", source, flags=re.M)


def _answer_names(path: Path, question: nb.Question) -> set[str]:
    source = nbformat.read(path, as_version=4).cells[question.answer].source
    return {name for pair in defined_names(source) for name in pair if name}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_as_released_the_stubs_fail_with_teaching_messages(
    lab_page, student_lab, notebook, screenshots
) -> None:
    path = student_lab.root / "as-released" / f"{notebook}.ipynb"
    nb.open_notebook(lab_page, student_lab, f"as-released/{notebook}.ipynb")
    if notebook == "derivatives":
        lesson_image = lab_page.locator(f"{nb.CELLS} .jp-RenderedMarkdown img").first
        lesson_image.scroll_into_view_if_needed()
        lab_page.screenshot(path=screenshots / "student-lesson.png")
    stopped_at = nb.run_everything(lab_page)
    tests = {index for question in nb.questions(path) for index in question.tests}
    assert tests.isdisjoint(stopped_at), "Run All stopped at a failing test (raises-exception)"
    for question in nb.questions(path):
        names = _answer_names(path, question)
        for index in question.tests:
            text = nb.output_text(lab_page, index)
            assert "Error" in text, f"{question.grade_id}: cell {index} shows no error:\n{text}"
            assert TEACHING.search(text), f"a bare exception, no words to learn from:\n{text}"
            assert any(name in text for name in names), (
                f"{question.grade_id}: the error under cell {index} names none of {names}:\n{text}"
            )
    first_test = nb.questions(path)[0].tests[0]
    nb.cell(lab_page, first_test).scroll_into_view_if_needed()
    lab_page.screenshot(path=screenshots / f"student-failing-test-{notebook}.png")
    _the_images_render(lab_page, path)


def _the_images_render(page, path: Path) -> None:
    """Every image of the page loaded, and each diagram the markdown shows is among them."""
    assert nb.broken_images(page) == []
    shown = nb.lesson_images(page)
    for image in nb.markdown_image_paths(path):
        assert shown.get(f"as-released/{image}", 0) > 0 or shown.get(image, 0) > 0, (
            f"{image} is not shown ({shown})"
        )


def test_the_student_sees_validate_but_not_the_instructors_tools(lab_page, student_lab) -> None:
    """With the two instructor plugins off (docs/students.md), no Create Assignment panel and
    no Formgrader menu item; the Validate button and the Assignments list stay."""
    nb.open_notebook(lab_page, student_lab, "as-released/derivatives.ipynb")
    assert lab_page.locator(".validate-button").count() == 1
    assert lab_page.get_by_text("Create Assignment").count() == 0
    lab_page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    items = lab_page.locator(".lm-Menu-content").inner_text()
    assert "Assignment List" in items and "Formgrader" not in items, items


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_with_correct_answers_every_test_passes_and_validate_succeeds(
    lab_page, student_lab, notebook, screenshots
) -> None:
    path = student_lab.root / "answered" / f"{notebook}.ipynb"
    nb.open_notebook(lab_page, student_lab, f"answered/{notebook}.ipynb")
    assert nb.run_everything(lab_page) == [], "Run All stopped although every answer is right"
    for question in nb.questions(path):
        for index in question.tests:
            text = nb.output_text(lab_page, index)
            assert "Error" not in text and "Traceback" not in text, text
            assert PASS_LINE.search(text), f"{question.grade_id}: no pass line in:\n{text}"
    first_test = nb.questions(path)[0].tests[0]
    nb.cell(lab_page, first_test).scroll_into_view_if_needed()
    lab_page.screenshot(path=screenshots / f"student-passing-test-{notebook}.png")
    assert nb.broken_images(lab_page) == []
    _validate_says_success(lab_page, screenshots / f"student-validate-{notebook}.png")


def _validate_says_success(page, screenshot: Path) -> None:
    """Click nbgrader's Validate button in the notebook's toolbar; read its dialog."""
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=150_000)  # it opens when nbgrader has run the notebook
    page.screenshot(path=screenshot)
    assert VALIDATE_SUCCESS in dialog.inner_text(), dialog.inner_text()
