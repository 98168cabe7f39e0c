"""TeX to MathML on the server, so that math renders without scripts.

Feedback opened from a file, offline or under a strict Content-Security-Policy, cannot load
MathJax: `$f'(x) = 2x$` stays raw TeX. Chromium (like Firefox and Safari) renders MathML Core
natively, so the pages that show markdown convert each formula here, with `latex2mathml`.

The TeX is student content and `latex2mathml` is not a sanitiser: it turns `\\href{...}` into an
`href` attribute, `\\style{...}` into a `style` and copies `\\text{<b>...}` into the output raw.
So its output is parsed as XML and written out again element by element: only the MathML Core
elements below (no `semantics`, `annotation`, `annotation-xml`, `maction`: what could hold HTML
or act), only harmless attributes with checked values (no link, style, class, id, colour, nor
a length that could move the formula over the rest of the page), every text escaped. A formula
that fails to convert, or holds anything else, is None: the caller shows the TeX as escaped
text. The page's HTML sanitiser (`nbgrader_plugin.inert_html`) then checks the result again
with the same lists.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

from latex2mathml.converter import convert

NAMESPACE = "{http://www.w3.org/1998/Math/MathML}"
MAX_TEX = 2000  # characters: a formula in a lesson is far shorter; longer is shown as text
MAX_DEPTH = 60  # nested elements (deep nesting is a way to exhaust a parser, not math)

TAGS = frozenset(
    {
        "math", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover", "mpadded",
        "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub",
        "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
    }
)  # fmt: skip
# attribute -> the values it may take; all are presentation hints that move nothing outside
# the formula's own box
_FLAG = re.compile(r"^(true|false)$")
_LENGTH = re.compile(r"^(0|[0-9]{0,2}(\.[0-9]{1,4})?(em|ex|mu)?)$")  # non-negative, small
_SIZE = re.compile(r"^([0-9]{0,2}(\.[0-9]{1,4})?(em|ex|%)?|small|normal|big)$")
_WORDS = re.compile(r"^[a-z -]{1,40}$")
ATTRIBUTE_VALUES: dict[str, re.Pattern[str]] = {
    "display": re.compile(r"^(block|inline)$"),
    "displaystyle": _FLAG,
    "scriptlevel": re.compile(r"^[+-]?[0-2]$"),
    "mathvariant": re.compile(r"^(normal|bold|italic|bold-italic|double-struck|script|"
                              r"bold-script|fraktur|bold-fraktur|sans-serif|bold-sans-serif|"
                              r"sans-serif-italic|sans-serif-bold-italic|monospace)$"),
    "stretchy": _FLAG,
    "symmetric": _FLAG,
    "largeop": _FLAG,
    "movablelimits": _FLAG,
    "accent": _FLAG,
    "accentunder": _FLAG,
    "fence": _FLAG,
    "separator": _FLAG,
    "form": re.compile(r"^(prefix|infix|postfix)$"),
    "lspace": _LENGTH,
    "rspace": _LENGTH,
    "minsize": _SIZE,
    "maxsize": _SIZE,
    "mathsize": _SIZE,
    "linethickness": _LENGTH,
    "width": _LENGTH,  # mspace, mpadded: bounded and non-negative, so nothing is overlaid
    "columnalign": _WORDS,
    "rowspacing": _WORDS,
    "columnspacing": _WORDS,
    "columnlines": _WORDS,
    "rowlines": _WORDS,
}  # fmt: skip
ATTRIBUTES = frozenset(ATTRIBUTE_VALUES)


def tex_to_mathml(tex: str, *, display: bool) -> str | None:
    """A `<math>` element for the formula `tex` (without its delimiters), or None when it does
    not convert or the conversion holds anything outside the allow-lists."""
    if len(tex) > MAX_TEX or not tex.strip():
        return None
    try:
        converted = convert(tex, display="block" if display else "inline")
        root = ElementTree.fromstring(converted)
    except Exception:  # latex2mathml raises many kinds on malformed TeX; all mean "not math"
        return None
    parts: list[str] = []
    return "".join(parts) if _write(root, parts, 0) else None


def allowed_value(attribute: str, value: str) -> bool:
    """Whether a MathML attribute may keep this value (shared with the HTML sanitiser)."""
    pattern = ATTRIBUTE_VALUES.get(attribute)
    return pattern is not None and bool(pattern.match(value.strip()))


def _write(element: ElementTree.Element, parts: list[str], depth: int) -> bool:
    """Append `element` as HTML to `parts`; False when it holds anything not allowed."""
    if not element.tag.startswith(NAMESPACE) or depth > MAX_DEPTH:
        return False
    tag = element.tag.removeprefix(NAMESPACE)
    if tag not in TAGS:
        return False
    attributes = "".join(
        f' {name}="{html.escape(value.strip(), quote=True)}"'
        for name, value in sorted(element.attrib.items())
        if allowed_value(name, value)  # namespaced (`{...}href`) or unknown names never match
    )
    parts.append(f"<{tag}{attributes}>{html.escape(element.text or '', quote=False)}")
    for child in element:
        if not _write(child, parts, depth + 1):
            return False
        parts.append(html.escape(child.tail or "", quote=False))
    parts.append(f"</{tag}>")
    return True
