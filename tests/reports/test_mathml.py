"""Formulas as MathML, without scripts: what converts, and what hostile TeX cannot do."""

from __future__ import annotations

import pytest

from autograders.mathml import tex_to_mathml
from autograders.nbgrader_plugin.inert_html import safe_markdown, sanitize_html
from tests.reports.html_tags import attributes_in, tags_in

SCRIPT_LIKE = ("script", "iframe", "img", "svg", "style", "a", "semantics", "annotation-xml")


def test_a_lesson_formula_becomes_mathml() -> None:
    converted = tex_to_mathml(r"f'(x) = 2x", display=False)

    assert converted is not None and converted.startswith('<math display="inline">')
    assert "<mi>f</mi><mi>′</mi>" in converted and "<mn>2</mn>" in converted
    fraction = tex_to_mathml(r"\frac{\partial f}{\partial u}", display=True)
    assert fraction is not None and '<math display="block">' in fraction and "<mfrac>" in fraction


@pytest.mark.parametrize(
    "markdown, formulas",
    [
        ("The slope $f'(x) = 2x$ here.", 1),
        ("$$\\frac{dy}{dx} = 3x^2$$", 1),
        ("inline \\\\(x^2\\\\) and display \\\\[y = x\\\\]", 2),
        ("\\begin{align} a &= b \\\\ c &= d \\end{align}", 1),
    ],
)
def test_every_delimiter_renders_as_mathml(markdown: str, formulas: int) -> None:
    html = safe_markdown(markdown)

    assert tags_in(html).count("math") == formulas
    assert "$" not in html and "\\(" not in html and "\\[" not in html


def test_tex_that_does_not_convert_stays_escaped_text() -> None:
    assert tex_to_mathml(r"\frac{", display=False) is None
    html = safe_markdown(r"Broken: $\left( <b>$ and fine: $x$")

    assert "$\\left( &lt;b&gt;$" in html  # the student's text, escaped
    assert tags_in(html).count("math") == 1 and "b" not in tags_in(html)


@pytest.mark.parametrize(
    "tex",
    [
        r"\href{javascript:alert(1)}{click}",
        r"\style{position:fixed;top:0}{x}",
        r"\class{navbar-fixed-top}{x}",
        r"\color{white} x \mathbin{\color{white}{y}}",
        r"\text{<img src=x onerror=alert(1)>}",
        r"\text{<script>alert(1)</script>}",
        "<script>alert(1)</script>",
        r"\hspace{-100em} \mathrm{fake} \kern-50em",
        r"\boxed{x}",
        "{" * 400 + "x" + "}" * 400,
    ],
)
def test_hostile_tex_gives_inert_mathml_or_text(tex: str) -> None:
    converted = tex_to_mathml(tex, display=False) or ""
    html = safe_markdown(f"${tex}$")

    for fragment in (converted, html):
        assert not set(tags_in(fragment)) & set(SCRIPT_LIKE), fragment
        names = {name for _, name, _ in attributes_in(fragment)}
        assert not names & {"href", "style", "class", "id", "mathcolor", "mathbackground"}
        assert not [value for _, _, value in attributes_in(fragment) if value.startswith("-")]


@pytest.mark.parametrize(
    "html",
    [
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<math><semantics><annotation-xml encoding="text/html"><img src=x onerror=alert(1)>'
        "</annotation-xml></semantics></math>",
        "<math><maction actiontype='statusline'><mi xlink:href='javascript:alert(1)'>x</mi>"
        "</maction></math>",
        '<math><mi href="javascript:alert(1)" style="position:fixed" mathcolor="white">x</mi>'
        '<mspace width="-100em"/><mpadded voffset="-20em">y</mpadded></math>',
        "<svg><math><mi>x</mi></math></svg><math><style><img src=x onerror=alert(1)></style>",
    ],
)
def test_mutation_xss_shaped_mathml_is_cleaned(html: str) -> None:
    clean = sanitize_html(html)

    assert not set(tags_in(clean)) & {"script", "style", "svg", "semantics", "annotation-xml"}
    assert "onerror" not in clean and "javascript" not in clean and "maction" not in clean
    assert not {name for _, name, _ in attributes_in(clean)} - {"src", "display"}
    assert sanitize_html(clean) == clean  # sanitising again changes nothing: no mutation left
