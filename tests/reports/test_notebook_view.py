"""The notebook as graded, in the CLI's feedback page: hostile cells, outputs and images stay
inert, hidden tests stay hidden, answers are linked (in-memory notebooks; the browser test
opens a real one)."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import nbformat

from autograders.grade import write_student_reports
from autograders.graded_notebook import notebook_view
from autograders.normalise import normalise_notebook
from autograders.release import release_at
from autograders.reports.feedback import render_feedback_html
from autograders.reports.notebook_view import is_image
from autograders.results import GRADED, CheckResult, NotebookView, StudentResult, ViewCell
from autograders.settings import Settings
from tests.reports.html_tags import attributes_in, tags_in

SCRIPT = "<script>alert('pwned')</script>"
BREAKOUT = '</pre></details><img src=x onerror="alert(1)">'


def png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG (white pixels), built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def graded_cell(source: str, grade_id: str, kind: str = "code") -> dict:
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    solution = grade_id in ("derivative_at", "why_detach")
    cell.metadata["nbgrader"] = {
        "grade_id": grade_id,
        "grade": not solution or grade_id == "why_detach",
        "solution": solution,
        "locked": not solution,
        "points": 2 if grade_id == "derivative_at_test" else 1,
        "schema_version": 3,
    }
    return cell


def derivatives_notebook() -> list[dict]:
    """A submitted derivatives.ipynb, normalised as the pipeline reads it."""
    cells = [
        nbformat.v4.new_markdown_cell(f"# Lesson\n\nThe slope $f'(x) = 2x$ {SCRIPT}"),
        nbformat.v4.new_code_cell(f"print('{BREAKOUT}')"),
        graded_cell(f"def derivative_at(f, x0):\n    return '{BREAKOUT}'", "derivative_at"),
        graded_cell(
            "check(derivative_at)\n### BEGIN HIDDEN TESTS\nsecret_input = 0.1234\n"
            "### END HIDDEN TESTS\nprint('visible')",
            "derivative_at_test",
        ),
        graded_cell("Because numpy cannot <b>track</b> grad.", "why_detach", "markdown"),
    ]
    notebook = json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    normalise_notebook(notebook)
    return notebook["cells"]


def sandbox_reports() -> dict[int, dict]:
    """What the sandbox recorded for cell 1 (`session.NotebookRun.cells`' shape)."""
    printed = BREAKOUT + "\n"
    return {
        1: {
            "ok": False,
            "error": {"type": "ValueError", "message": BREAKOUT},
            "stdout": printed,
            "stderr": "",
            "outputs": [{"type": "stream", "name": "stdout", "text": printed}],
        }
    }


def with_figure(view: NotebookView, image: str) -> NotebookView:
    """The view with a cell that drew a figure: a display_data output as nbformat has it."""
    data = {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": image}
    output = {"output_type": "display_data", "data": data, "metadata": {}}
    return NotebookView((*view.cells, ViewCell("code", "plt.plot([1, 2])", outputs=(output,))))


def page_for(image: str) -> str:
    checks = [
        CheckResult("derivative_at_test", "derivative_at", "derivatives", "values", 0, 2, "no"),
    ]
    view = with_figure(notebook_view(derivatives_notebook(), sandbox_reports()), image)
    result = StudentResult(
        "ann", checks=checks, notebooks={"derivatives": GRADED}, views={"derivatives": view}
    )
    return render_feedback_html(result)


REAL_PNG = base64.b64encode(png()).decode()


def test_code_sources_and_outputs_are_escaped() -> None:
    page = page_for(REAL_PNG)

    assert BREAKOUT not in page
    assert "&lt;/pre&gt;&lt;/details&gt;&lt;img src=x onerror=" in page
    assert "onerror" not in {name for _, name, _ in attributes_in(page)}
    assert "script" not in tags_in(page)


def test_markdown_is_rendered_sanitised_and_its_math_is_mathml() -> None:
    page = page_for(REAL_PNG)

    assert "<h1" in page and "alert(&#x27;pwned&#x27;)" not in page and SCRIPT not in page
    assert "<math" in page and "$f'(x)" not in page
    assert "<b>track</b>" in page  # the hand-graded answer, its honest HTML kept


def test_a_figure_is_an_image_only_when_it_is_a_png() -> None:
    assert 'src="data:image/png;base64,' + REAL_PNG + '"' in page_for(REAL_PNG)
    fakes = {
        "html": base64.b64encode(b"<script>alert(1)</script>").decode(),
        "gif": base64.b64encode(b"GIF89a" + png()[8:]).decode(),
        "quote": REAL_PNG[:8] + '" onerror="alert(1)',
        "not base64": "not base64 at all!",
    }
    for name, fake in fakes.items():
        page = page_for(fake)
        assert "data:image" not in page and "<img" not in page, name
        assert "&lt;Figure size 640x480 with 1 Axes&gt;" in page, name  # its text instead
    assert not is_image("image/png", base64.b64encode(png() * 40_000).decode())  # too large


def test_hidden_tests_are_removed_and_the_verdict_shown() -> None:
    page = page_for(REAL_PNG)

    assert "secret_input" not in page and "0.1234" not in page
    assert "# (hidden tests are not shown)" in page and "print('visible')" in page
    assert "✗ values: 0 / 2" in page


def test_each_question_links_to_its_answer_cell() -> None:
    page = page_for(REAL_PNG)

    links = [value for tag, name, value in attributes_in(page) if (tag, name) == ("a", "href")]
    ids = {value for _, name, value in attributes_in(page) if name == "id"}
    assert "#answer-derivative_at" in links and "#answer-why_detach" in links
    assert {"answer-derivative_at", "answer-why_detach"} <= ids
    assert page.count('<details class="notebook">') == 1  # collapsed: no `open` attribute


def test_a_notebook_that_could_not_be_read_says_so() -> None:
    result = StudentResult(
        "ann",
        checks=[CheckResult("t", "partial_derivatives", "partial_derivatives", "x", 0, 2)],
        notebooks={"partial_derivatives": "not a notebook (invalid JSON)"},
    )
    page = render_feedback_html(result)

    assert "partial_derivatives.ipynb could not be read" in page
    assert '<details class="notebook">' not in page


def test_the_page_allows_images_from_data_uris_only() -> None:
    page = page_for(REAL_PNG)

    policy = page.split('content="', 1)[1].split('"', 1)[0]
    assert "default-src 'none'" in policy and "img-src data:;" in policy
    assert "script-src" not in policy
    sources = [value for tag, name, value in attributes_in(page) if name == "src"]
    assert sources and all(source.startswith("data:image/") for source in sources)


def test_the_views_are_dropped_once_the_reports_are_written(tmp_path: Path) -> None:
    view = notebook_view(derivatives_notebook(), sandbox_reports())
    graded = {"derivatives": GRADED}
    with_view = StudentResult("ann", notebooks=graded, views={"derivatives": view})

    write_student_reports(tmp_path / "with", with_view, Settings())
    write_student_reports(tmp_path / "without", StudentResult("ann", notebooks=graded), Settings())

    assert with_view.views == {}
    assert "Your notebook as graded" in (tmp_path / "with/ann/feedback.html").read_text()
    assert "Your notebook as graded" not in (tmp_path / "without/ann/feedback.html").read_text()
    written = [(tmp_path / kind / "ann/results.json").read_text() for kind in ("with", "without")]
    assert written[0] == written[1]  # results.json does not carry the notebook


def test_the_lessons_diagrams_are_embedded_from_the_instructors_folder(tmp_path: Path) -> None:
    folder = tmp_path / "source" / "derivatives"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "graph.png").write_bytes(png())
    (tmp_path / "source" / "outside.png").write_bytes(png())
    (folder / "images" / "fake.png").write_bytes(b"<script>alert(1)</script>")
    markdown = "![graph](images/graph.png) ![out](../outside.png) ![fake](images/fake.png)"
    view = NotebookView((ViewCell("markdown", markdown),))
    result = StudentResult("ann", notebooks={"derivatives": GRADED}, views={"derivatives": view})

    page = render_feedback_html(result, diagrams=folder)

    sources = {value for tag, name, value in attributes_in(page) if (tag, name) == ("img", "src")}
    assert sources == {f"data:image/png;base64,{REAL_PNG}", "../outside.png", "images/fake.png"}


def test_the_diagrams_come_from_the_release_the_grader_was_given(tmp_path: Path) -> None:
    """An installed package has no source/ beside it: the release folder holds the images."""
    release = tmp_path / "release" / "derivatives"
    (release / "images").mkdir(parents=True)
    (release / "images" / "only-in-the-release.png").write_bytes(png())
    markdown = "![graph](images/only-in-the-release.png)"
    view = NotebookView((ViewCell("markdown", markdown),))
    result = StudentResult("ann", notebooks={"derivatives": GRADED}, views={"derivatives": view})

    write_student_reports(tmp_path / "out", result, Settings(release=release_at(str(release))))

    page = (tmp_path / "out" / "ann" / "feedback.html").read_text(encoding="utf-8")
    sources = {value for tag, name, value in attributes_in(page) if (tag, name) == ("img", "src")}
    assert sources == {f"data:image/png;base64,{REAL_PNG}"}
