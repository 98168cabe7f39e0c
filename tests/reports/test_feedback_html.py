"""The student's HTML feedback page: complete, offline, and safe from what their code printed."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from autograders.reports.feedback import render_feedback_html, write_feedback
from autograders.results import GRADED, CheckResult, StudentResult

SCRIPT = "<script>alert('pwned')</script>"


def hostile_result() -> StudentResult:
    """A student whose code printed, and whose messages quote, HTML meant to run."""
    return StudentResult(
        f"mallory{SCRIPT}",
        seeds={"derivatives": 99},
        checks=[
            CheckResult("values", "derivative_at", "intro", "derivative_at: values", 1, 1),
            CheckResult(
                "backward",
                "square_backward",
                "custom_backward",
                f"square_backward: gradient {SCRIPT}",
                0,
                2,
                message=f"Your backward returned {SCRIPT} instead of a tensor.",
                hint=f"returned the input x instead of grad_output * 2 * x {SCRIPT}",
                output=f"debug: {SCRIPT}\n<img src=x onerror=alert(1)>",
            ),
            CheckResult(
                "shape",
                "square_backward",
                "custom_backward",
                "square_backward: shape",
                0.5,
                1,
                message="Right shape, wrong values.",
            ),
        ],
        notebooks={"intro": GRADED, "custom_backward": "invalid JSON"},
    )


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)


def tags_in(page: str) -> list[str]:
    collector = TagCollector()
    collector.feed(page)
    return collector.tags


def test_nothing_from_the_result_becomes_markup():
    page = render_feedback_html(hostile_result())

    tags = tags_in(page)
    assert "script" not in tags and "img" not in tags
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page


def test_the_page_is_self_contained():
    page = render_feedback_html(hostile_result())

    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page
    assert "default-src 'none'" in page  # the browser loads nothing and runs no script


def test_scores_hints_and_printed_output_are_shown():
    page = render_feedback_html(hostile_result())

    assert "1.5 / 4 points" in page  # the total
    assert "0.5 / 3" in page  # square_backward: 0 / 2 + 0.5 / 1
    assert "Likely mistake:" in page and "returned the input x instead of" in page
    assert "<details><summary>What your code printed</summary><pre>debug: " in page
    assert "Right shape, wrong values." in page
    assert page.count("✓") == 1 and page.count("✗") == 2


def test_each_notebook_has_a_section_with_its_status():
    page = render_feedback_html(hostile_result(), assignment="derivatives")

    assert "<title>derivatives: feedback for mallory&lt;script&gt;" in page
    assert 'custom_backward.ipynb <span class="badge bad">not gradable: invalid JSON' in page
    assert 'intro.ipynb <span class="badge">graded' in page
    assert page.index("intro.ipynb <span") < page.index("custom_backward.ipynb <span")


def test_a_grader_error_is_explained_without_blaming_the_student(tmp_path):
    crashed = StudentResult(
        "bob",
        seeds={"derivatives": 1},
        grader_error="KeyError: 'expected_grad'",
        notebooks={"intro": GRADED},
    )
    write_feedback(tmp_path / "feedback.html", crashed)

    page = (tmp_path / "feedback.html").read_text(encoding="utf-8")
    assert "The autograder itself failed" in page and "not your fault" in page
    assert "expected_grad" not in page
    assert "0 / 0 points" in page


def test_the_policy_allows_only_the_pages_own_styles():
    """Injected CSS could hide or fake a score: only the page's own styles apply, by hash."""
    page = render_feedback_html(hostile_result())
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "unsafe-inline" not in policy and "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "base-uri 'none'" in policy and "form-action 'none'" in policy
    styles = re.findall(r"<style>(.*?)</style>", page, re.S) + re.findall(r'style="([^"]*)"', page)
    assert len(styles) == 2  # the stylesheet and the score meter's width
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_code_spans_become_code_and_their_text_stays_escaped():
    result = StudentResult(
        "ann",
        checks=[
            CheckResult(
                "t",
                "q",
                "intro",
                "q: `x.grad`",
                0,
                1,
                message=f"call `y.sum().backward()` not `{SCRIPT}`",
                hint="an unpaired ` backtick stays",
            )
        ],
        notebooks={"intro": GRADED},
    )
    page = render_feedback_html(result, hand_graded={})

    assert "<span>q: <code>x.grad</code></span>" in page
    assert "call <code>y.sum().backward()</code> not <code>&lt;script&gt;" in page
    assert "an unpaired ` backtick stays" in page
    assert "script" not in tags_in(page) and SCRIPT not in page


def test_hand_graded_question_is_shown_pending_and_not_counted():
    """21 autograded points earned of 21, and 1 more point graded by hand: 22 in all."""
    result = StudentResult(
        "ann",
        checks=[CheckResult("t", "derivative_at", "derivatives", "t", 21, 21)],
        notebooks={"derivatives": GRADED},
    )
    page = render_feedback_html(result, hand_graded={"why_detach": ("derivatives", 1.0)})

    assert "21 / 21 points" in page
    assert "+ 1 point graded by hand, pending: 22 points in all." in page
    block = page[page.index('<div class="question pending">') :]
    assert "<span>why_detach</span><span>pending / 1</span>" in block
    assert "(1 points)" not in page


def test_by_default_the_registrys_hand_graded_question_is_shown():
    result = StudentResult("ann", checks=[], notebooks={"derivatives": GRADED})
    assert "<span>why_detach</span><span>pending / 1</span>" in render_feedback_html(result)
