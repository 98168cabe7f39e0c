"""`MakeStudentContentInert`: nothing active from a submission reaches a page.

Runs in `nbgrader autograde` (so the stored autograded notebooks are harmless too) and in
`nbgrader generate_feedback`. Per notebook:

- a markdown cell whose rendering would hold anything the allow-list of `inert_html` removes
  (a script, an event handler, a `javascript:` link, an iframe, a form, a style, a MathJax
  `\\href` or `\\style`) has its source replaced by the sanitised HTML of that rendering, and
  the change is logged; honest markdown (LaTeX, tables, images, code, links) is left
  byte for byte as the student wrote it;
- outputs keep their plain text and their PNG and JPEG images, each checked again
  (`sandbox.images`: base64, the type's signature, the size cap); every other type (HTML,
  markdown, LaTeX, JavaScript, SVG, which can hold scripts when inlined, widget views, unknown
  rich types) is dropped. The sandbox reports nothing else, so this only bites on a forged
  or hand-edited notebook;
- attachments other than raster images are dropped, and so is the notebook's widget state,
  which nbconvert's templates would hand to widget code loaded from a CDN.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

from autograders.nbgrader_plugin.inert_html import (
    neutralise_tex,
    render_markdown,
    safe_markdown,
    same_html,
    sanitize_html,
)
from autograders.sandbox.images import OUTPUT_IMAGES, image_problem

OUTPUT_RASTERS = set(OUTPUT_IMAGES.values())
REMOVED = "(output removed: only text and PNG or JPEG images are shown)"
RASTER_ATTACHMENTS = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class MakeStudentContentInert(Preprocessor):
    """Sanitise markdown cells, rich outputs, attachments and widget state (logged)."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled.").tag(
        config=True
    )

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        if nb.metadata.pop("widgets", None) is not None:
            self._log(resources, "notebook metadata", "widget state removed")
        return super().preprocess(nb, resources)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        where = f"cell {index}"
        if "attachments" in cell:
            self._keep_raster_attachments(cell, resources, where)
        if cell.get("cell_type") == "markdown":
            inert = inert_markdown(_text(cell.get("source")), cell.get("attachments"))
            if inert != cell.get("source"):
                cell.source = inert
                self._log(resources, where, "active HTML in markdown made inert")
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            if _make_output_inert(output):
                self._log(resources, where, "active output made inert")
        return cell, resources

    def _keep_raster_attachments(self, cell: NotebookNode, resources: ResourcesDict, where: str):
        """Image attachments only; anything of another shape is dropped (logged)."""
        if not isinstance(cell.attachments, dict):
            del cell["attachments"]
            self._log(resources, where, "malformed attachments removed")
            return
        for name, bundle in list(cell.attachments.items()):
            bundle = bundle if isinstance(bundle, dict) else {}
            kept = {kind: data for kind, data in bundle.items() if kind in RASTER_ATTACHMENTS}
            if kept != bundle:
                self._log(resources, where, f"attachment {name!r}: non-image content removed")
            if kept:
                cell.attachments[name] = kept
            else:
                del cell.attachments[name]

    def _log(self, resources: ResourcesDict, where: str, what: str) -> None:
        info = resources.get("nbgrader", {})
        self.log.warning(
            "%s/%s: %s: %s", info.get("student", "?"), info.get("notebook", "?"), where, what
        )


def inert_markdown(source: str, attachments: dict | None = None) -> str:
    """`source` itself when it renders to inert HTML; otherwise that HTML, sanitised.

    The replacement is HTML, which markdown passes through, so the page shows what the
    honest part of the cell said, without its active part.
    """
    if neutralise_tex(source) == source:
        rendered = render_markdown(source, attachments)
        if same_html(rendered, sanitize_html(rendered)):
            return source
    return safe_markdown(source, attachments)


def _make_output_inert(output: NotebookNode) -> bool:
    """Keep only the output's plain text and valid raster images, in place; whether any
    representation was dropped."""
    if not isinstance(output, dict) or "data" not in output:
        return False  # a stream or an error: text, escaped by every template
    data = output["data"] if isinstance(output["data"], dict) else {}
    kept = {kind: value for kind, value in data.items() if _keep(kind, value)}
    changed = kept != output["data"]
    output["data"] = kept
    if not kept:
        output["data"]["text/plain"] = (
            "(output removed: only text and PNG or JPEG images are shown)"
        )
    return changed


def _keep(kind: str, value: object) -> bool:
    if kind == "text/plain":
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(part, str) for part in value)
        )
    if kind in OUTPUT_RASTERS and isinstance(value, str):
        # nbformat allows line breaks in base64 (JupyterLab saves a trailing one)
        return image_problem(kind, "".join(value.split())) is None
    return False


def _text(value: object) -> str:
    """A notebook's multiline string (a string, or a list of strings) as one string."""
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""
