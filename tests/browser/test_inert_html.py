"""What the sanitiser keeps and removes, on in-memory cells (fast; the browser tests show it
in Chromium)."""

from __future__ import annotations

import logging
import re

import nbformat
import pytest
from jinja2 import Environment
from nbconvert import HTMLExporter

from autograders.nbgrader_plugin.inert_cells import MakeStudentContentInert, inert_markdown
from autograders.nbgrader_plugin.inert_html import markdown2html, safe_markdown, sanitize_html
from tests.browser.browser_payloads import BANNER, HONEST_MARKDOWN, payload_cells

ACTIVE = ("<script", "onerror", "onload", "<iframe", "javascript:", "<style", "style=", "<form")
ACTIVE += ("<svg", "<meta", "data:text", "<base", "<object", "<embed", "navbar")


@pytest.mark.parametrize("name", [*payload_cells(1234), "base", "object"])
def test_every_payload_is_made_inert(name: str) -> None:
    source = {
        "base": '<base href="http://127.0.0.1:1234/">',
        "object": '<object data="x.swf"></object><embed src="x.swf">',
    }.get(name) or payload_cells(1234)[name]
    inert = inert_markdown(source)
    rendered = safe_markdown(inert)
    for marker in ACTIVE:
        assert marker not in inert.lower() and marker not in rendered.lower(), marker


def test_mathjax_links_styles_and_extensions_become_text() -> None:
    source = "$\\href{javascript:alert(1)}{x}$, $\\style{position:fixed}{y}$, $\\require{html}$"
    inert = inert_markdown(source)
    assert not re.search(r"\\(href|style|require)", inert)
    # the replacement is the sanitised rendering: each command is a word of the formula
    assert "<mtext>href</mtext>" in inert and "<mtext>style</mtext>" in inert
    assert "href=" not in inert and "style=" not in inert


def test_the_banner_text_stays_but_not_its_position() -> None:
    inert = inert_markdown(payload_cells(1234)["style"])
    assert BANNER in inert and "position" not in inert and "alert" not in inert


HONEST = [
    HONEST_MARKDOWN,
    "Inline $a < b$ and `x < y`, a <b>bold</b> word<br>and a [relative link](other.ipynb).",
    "| left | right |\n|:-----|------:|\n| 1 | 2 |",
    "![plot](images/derivatives/plot.png)\n\n<mailto:teacher@example.org>",
    "<!-- a note to myself -->\n# Title\n\n1. one\n2. two\n\n> quoted",
]


@pytest.mark.parametrize("source", HONEST)
def test_honest_markdown_is_kept_byte_for_byte(source: str) -> None:
    assert inert_markdown(source) == source


@pytest.mark.parametrize("source", [source for source in HONEST[:4] if "$" not in source])
def test_the_filter_renders_honest_markdown_as_nbconvert_does(source: str) -> None:
    """Formulas aside (MathML here, TeX for MathJax there: tests/reports/test_mathml.py)."""
    exporter = HTMLExporter()
    stock = exporter.markdown2html({"cell": {}}, source)
    env = Environment()
    env.filters["markdown2html"] = markdown2html
    ours = env.from_string("{{ source | markdown2html }}").render(source=source, cell={})
    assert sanitize_html(stock) == ours
    assert ours.replace(" />", ">").replace("&#182;", "¶") == stock.replace(" />", ">").replace(
        "&#182;", "¶"
    )


def test_data_urls_are_images_only() -> None:
    image = '<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">'
    assert sanitize_html(image) == image
    assert "data:" not in sanitize_html('<img src="data:text/html;base64,PHNjcmlwdD4=">')
    assert "href" not in sanitize_html('<a href="data:image/png;base64,iVBO">x</a>')


def notebook_with_outputs() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            {
                "text/html": "<b>ok</b><img src=x onerror=alert(1)>",
                "application/javascript": "alert(1)",
                "image/svg+xml": "<svg onload=alert(1)></svg>",
                "text/plain": "<ok>",
            },
        ),
        nbformat.v4.new_output("display_data", {"application/vnd.jupyter.widget-view+json": {}}),
    ]
    markdown = nbformat.v4.new_markdown_cell("![a](attachment:a.png)")
    markdown.attachments = {"a.png": {"image/png": "iVBO", "text/html": "<script>x</script>"}}
    nb = nbformat.v4.new_notebook(cells=[cell, markdown])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_outputs_attachments_and_widget_state_are_made_inert(caplog) -> None:
    nb = notebook_with_outputs()
    with caplog.at_level(logging.WARNING):
        nb, _ = MakeStudentContentInert().preprocess(nb, {"nbgrader": {"student": "bob"}})
    first, widget = nb.cells[0].outputs
    assert first.data == {"text/plain": "<ok>"}  # only text and raster images stay
    assert list(widget.data) == ["text/plain"]
    assert nb.cells[1].attachments == {"a.png": {"image/png": "iVBO"}}
    assert "widgets" not in nb.metadata
    assert "bob/?: cell 0: active output made inert" in caplog.text


def test_an_honest_notebook_is_left_alone(caplog) -> None:
    cells = [nbformat.v4.new_markdown_cell(source) for source in HONEST]
    nb = nbformat.v4.new_notebook(cells=cells)
    with caplog.at_level(logging.WARNING):
        MakeStudentContentInert().preprocess(nb, {})
    assert [cell.source for cell in nb.cells] == HONEST
    assert caplog.text == ""


def test_malformed_cells_are_made_inert_not_a_crash() -> None:
    """nbformat-invalid shapes a student can hand in (the notebook is read leniently)."""
    markdown = nbformat.from_dict(
        {"cell_type": "markdown", "metadata": {}, "source": ["<script>x</script>", "ok"]}
    )
    markdown["attachments"] = ["not", "a", "dict"]
    code = nbformat.from_dict({"cell_type": "code", "metadata": {}, "source": ""})
    code["outputs"] = [{"output_type": "display_data", "data": "<script>x</script>"}, "junk"]
    nb = nbformat.from_dict({"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": []})
    nb.cells = [markdown, code]

    nb, _ = MakeStudentContentInert().preprocess(nb, {})

    assert "script" not in nb.cells[0].source and "ok" in nb.cells[0].source
    assert "attachments" not in nb.cells[0]
    assert list(nb.cells[1].outputs[0]["data"]) == ["text/plain"]
