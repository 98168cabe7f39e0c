"""Student markdown and HTML made inert for the instructor's and the student's browser.

A submission is hostile input for the pages that show it, not only for the grader: raw HTML in
a markdown cell (`<script>`, `onerror=`, `<iframe srcdoc>`, a `javascript:` link, a `<style>`
that hides the score inputs) runs on the Jupyter server's origin with the instructor's session
when nbgrader's formgrader or feedback templates render it through their `markdown2html` filter.

Here markdown is rendered as nbconvert renders it for those templates, except that each
formula becomes MathML (`autograders.mathml`: math shows without MathJax, offline and under a
strict CSP; a formula that does not convert stays TeX, as escaped text), then the HTML is
cleaned by `nh3` (the Rust `ammonia` sanitiser) with an allow-list: the tags, attributes and
classes honest markdown produces (headings with their anchors, MathML Core, tables with their
alignment, images with relative or `data:image/...` sources, highlighted code, links to http,
https, mailto and relative targets) and nothing that runs, loads a page, submits, or restyles.
ammonia checks where each MathML element may sit (its namespace rules), which is what stops
the mutation-XSS shapes that mix MathML with HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from jinja2 import pass_context
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments.token import STANDARD_TYPES

from autograders import mathml

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
    *mathml.TAGS,
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ATTRIBUTES = {
    "*": {"title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "ol": {"start"},
    **{heading: {"id"} for heading in HEADINGS},  # nbconvert's anchors for headings
    **{tag: set(mathml.ATTRIBUTES) for tag in mathml.TAGS},  # values checked: _allowed_value
}
# Only the classes nbconvert writes (anchor links, pygments' highlighting): an allowed class
# such as bootstrap's `navbar-fixed-top` or `alert` would let a cell draw a fake banner.
CODE_CLASSES = {"highlight", "hll", *(name for name in STANDARD_TYPES.values() if name)}
CLASSES = {"a": {"anchor-link"}, "div": CODE_CLASSES, "span": CODE_CLASSES, "pre": CODE_CLASSES}
STYLE_PROPERTIES = {"text-align"}  # markdown tables' column alignment, nothing that moves boxes
URL_SCHEMES = {"http", "https", "mailto", "data"}  # `data:` only for images (see below)
IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)
# MathJax commands that make links, set styles, classes or ids, or load extensions.
ACTIVE_TEX = re.compile(r"\\(href|url|style|class|cssId|require|unicode|data|html)\b")


def sanitize_html(html: str) -> str:
    """`html` with everything outside the allow-list removed (scripts and styles with content)."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "title"},
        attributes=ATTRIBUTES,
        attribute_filter=_allowed_value,
        link_rel=None,  # no `target` is allowed, so links cannot reach `window.opener`
        url_schemes=URL_SCHEMES,
        allowed_classes=CLASSES,
        filter_style_properties=STYLE_PROPERTIES,
    )


def _allowed_value(tag: str, attribute: str, value: str) -> str | None:
    """nh3 has checked the scheme; `data:` URLs are images in `<img>`, never pages in links.
    MathML attributes keep only the values `mathml` allows (no length that moves boxes)."""
    if tag in mathml.TAGS:
        return value if mathml.allowed_value(attribute, value) else None
    if attribute in {"href", "src"} and value.strip().lower().startswith("data:"):
        return value if tag == "img" and attribute == "src" and IMAGE_DATA.match(value) else None
    return value


def neutralise_tex(source: str) -> str:
    """`source` with MathJax's link, style and extension commands turned into plain text."""
    return ACTIVE_TEX.sub(lambda match: r"\text{" + match.group(1) + "}", source)


def render_markdown(source: str, attachments: dict | None = None, *, math: bool = False) -> str:
    """The HTML nbconvert's HTMLExporter makes of a markdown cell (its default options); with
    `math`, each formula that converts is MathML instead of TeX for MathJax."""
    renderer_class = MathMLRenderer if math else IPythonRenderer
    renderer = renderer_class(escape=False, attachments=attachments or {}, anchor_link_text="¶")
    return MarkdownWithMath(renderer=renderer).render(source)


def safe_markdown(source: str, attachments: dict | None = None) -> str:
    """`render_markdown` of the source with active TeX commands neutralised and formulas as
    MathML, then sanitised."""
    return sanitize_html(render_markdown(neutralise_tex(source), attachments, math=True))


class MathMLRenderer(IPythonRenderer):
    """nbconvert's renderer, with `$...$`, `\\(...\\)`, `$$...$$`, `\\[...\\]` and
    `\\begin{...}` environments written as MathML; what does not convert stays TeX text."""

    def inline_math(self, body: str) -> str:
        return mathml.tex_to_mathml(body, display=False) or super().inline_math(body)

    def block_math(self, body: str) -> str:
        return mathml.tex_to_mathml(body, display=True) or super().block_math(body)

    def latex_environment(self, name: str, body: str) -> str:
        environment = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        converted = mathml.tex_to_mathml(environment, display=True)
        return converted or super().latex_environment(name, body)


@pass_context
def markdown2html(context, source: str) -> str:
    """Drop-in for HTMLExporter's `markdown2html` Jinja filter (formgrader, feedback)."""
    cell = context.get("cell") or {}
    return safe_markdown(source, cell.get("attachments") or {})


def same_html(first: str, second: str) -> bool:
    """Whether two HTML fragments hold the same elements, attributes and text (serialisation
    details such as `<br />` against `<br>`, attribute order or entities aside)."""
    return _tokens(first) == _tokens(second)


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tokens.append(("start", tag, tuple(sorted((k, v or "") for k, v in attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.tokens and self.tokens[-1][0] == "text":
            data = self.tokens.pop()[1] + data
        self.tokens.append(("text", data))

    def handle_comment(self, data: str) -> None:
        """Comments never show, and nh3 drops them: not a difference."""


def _tokens(html: str) -> list[tuple]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens
