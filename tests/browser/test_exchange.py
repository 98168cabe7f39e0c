"""The whole nbgrader exchange, with the one hand-graded point given in the formgrader.

In a temporary course with a temporary exchange, an instructor and a student (each with a home
of their own) run stock nbgrader commands with the committed nbgrader_config.py: generate and
release; fetch, answer everything (the written `why_detach` too) and submit; collect and
autograde. The instructor then grades `why_detach` in the formgrader, in Chromium, served by
`jupyter lab --config=jupyter_server_config.py` from the course root as the README says;
generates and releases feedback, which the student fetches and opens in Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.assignment.assignment_support import ASSIGNMENT, NOTEBOOKS, RELEASE
from tests.browser import exchange_course as ex
from tests.browser.jupyterlab import Lab, jupyter_lab
from tests.browser.lab_notebook import markdown_image_paths

pytestmark = pytest.mark.slow
STUDENT = "alice"
ON_STUDENT_SIDE = (f"--course={ex.COURSE_ID}", f"--student={STUDENT}")
ANSWER_WORDS = "NumPy cannot record operations for autograd"  # from ex.WHY_DETACH
TOTAL = re.compile(r"Score: ([\d.]+) / ([\d.]+)")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory):
    """The course after release, fetch, submit, collect and autograde: (instructor, student)."""
    instructor, student = ex.make_course(tmp_path_factory.mktemp("exchange"))
    instructor.nbgrader("generate_assignment", ASSIGNMENT, "--log-level=WARN")
    instructor.nbgrader("release_assignment", ASSIGNMENT)
    student.nbgrader("fetch_assignment", ASSIGNMENT, *ON_STUDENT_SIDE)
    ex.answer_everything(student.cwd / ASSIGNMENT)
    student.nbgrader("submit", ASSIGNMENT, *ON_STUDENT_SIDE)
    instructor.nbgrader("collect", ASSIGNMENT)
    assert (instructor.cwd / "submitted" / STUDENT / ASSIGNMENT / "derivatives.ipynb").exists()
    instructor.nbgrader("autograde", ASSIGNMENT)
    return instructor, student


def gradebook(instructor: ex.Role) -> Gradebook:
    return Gradebook(f"sqlite:///{instructor.cwd / 'gradebook.db'}")


def why_detach_grade(instructor: ex.Role) -> tuple[float | None, float]:
    """(manual score, points) of the student's why_detach in the gradebook."""
    with gradebook(instructor) as book:
        grade = book.find_grade("why_detach", "derivatives", ASSIGNMENT, STUDENT)
        return grade.manual_score, grade.max_score


@pytest.fixture(scope="module")
def feedback(course, browser, screenshots) -> dict[str, Path]:
    """why_detach graded by hand in the formgrader, then feedback generated, released and
    fetched: notebook -> the student's fetched feedback page."""
    instructor, student = course
    assert why_detach_grade(instructor)[0] is None, "why_detach was graded before a person did"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    lab_home = instructor.home / "lab"
    with jupyter_lab(instructor.cwd, lab_home, "--config=jupyter_server_config.py") as lab:
        _grade_why_detach_by_hand(context.new_page(), lab, instructor, screenshots)
    context.close()
    instructor.nbgrader("generate_feedback", ASSIGNMENT)
    instructor.nbgrader("release_feedback", ASSIGNMENT)
    student.nbgrader("fetch_feedback", ASSIGNMENT, *ON_STUDENT_SIDE)
    return ex.fetched_feedback(student)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_formgrader_saved_the_hand_graded_point(course, feedback) -> None:
    assert why_detach_grade(course[0]) == (1.0, 1.0)


def test_the_student_fetched_feedback_for_every_notebook(feedback) -> None:
    assert set(feedback) == set(NOTEBOOKS), feedback


def test_the_feedback_total_includes_the_hand_point(course, feedback, page, screenshots):
    page.goto(feedback["derivatives"].as_uri())
    page.screenshot(path=screenshots / "exchange-feedback.png", full_page=True)
    with gradebook(course[0]) as book:
        notebook = book.find_submission_notebook("derivatives", ASSIGNMENT, STUDENT)
        score, max_score = notebook.score, notebook.max_score
    text = page.locator("body").inner_text()
    shown = TOTAL.search(text)  # the first score on the page is the notebook's
    assert shown, "the feedback shows no score"
    assert (float(shown[1]), float(shown[2])) == (score, max_score) == (max_score, max_score)
    assert "Written response (Score: 1.0 / 1.0)" in text
    assert ANSWER_WORDS in text  # the student's own answer


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_feedback_shows_the_lessons_images(feedback, page, notebook) -> None:
    page.goto(feedback[notebook].as_uri())
    page.wait_for_load_state("load")
    widths = page.locator("img").evaluate_all(
        "images => images.map(i => [i.getAttribute('alt') || i.src.slice(0, 60), i.naturalWidth])"
    )
    lesson = lesson_image_count(notebook)
    assert lesson > 0 and len(widths) >= lesson, widths
    assert [alt for alt, width in widths if not width > 0] == [], "images that did not load"


def test_the_feedback_shows_the_figures_the_cells_drew(feedback, page, screenshots) -> None:
    """The worked example's figure and the student's own plot, each as an image under its
    cell, as the student saw them in JupyterLab (their outputs came from the sandbox)."""
    page.goto(feedback["derivatives"].as_uri())
    page.wait_for_load_state("load")
    for source in ('label="sin(x)"', ex.TRY_THE_PLOT.strip()):
        cell = page.locator("div.cell").filter(has=page.locator(".input", has_text=source))
        assert cell.count() == 1, source
        images = cell.locator(".output_area img")
        assert images.count() == 1, f"{source}: {images.count()} images"
        assert images.first.evaluate("img => img.complete && img.naturalWidth") > 100, source
        assert images.first.get_attribute("src").startswith("data:image/png;base64,")
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=screenshots / "exchange-feedback-student-figure.png")


def lesson_image_count(notebook: str) -> int:
    """How many diagrams the released notebook's markdown shows."""
    return len(markdown_image_paths(RELEASE / f"{notebook}.ipynb"))


def _grade_why_detach_by_hand(page, lab: Lab, instructor: ex.Role, screenshots) -> None:
    """Open the submission view, type 1 into why_detach's score and let the page save it."""
    with gradebook(instructor) as book:
        submission = book.find_submission_notebook("derivatives", ASSIGNMENT, STUDENT).id
    # Log in at the top (the login cookie's path is the first page's folder, and the submission
    # view's scores are saved through /formgrader/api/), then open the submission view.
    page.goto(lab.address("/formgrader"))
    page.goto(f"{lab.url}/formgrader/submissions/{submission}/")
    score = page.locator("input.score#why_detach")
    score.wait_for(timeout=60_000)
    assert ANSWER_WORDS in page.locator("body").inner_text()  # the student's answer shows
    with page.expect_response(
        lambda r: "/api/grade/" in r.url and r.request.method == "PUT"
    ) as put:
        score.fill("1")
        score.press("Tab")  # the formgrader saves a score when its input changes
    assert put.value.ok, put.value.status
    score.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "exchange-formgrader-submission.png")
    assert ex.WHY_DETACH.split("`")[2].strip() in page.locator("body").inner_text()
