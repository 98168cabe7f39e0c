"""`EmbedImages`: feedback pages that carry their own pictures.

`nbgrader release_feedback` ships one HTML file per notebook and nothing else, so a markdown
image such as `![...](images/chain_rule.png)` is a broken link in every student's feedback.
This preprocessor, in `GenerateFeedback.preprocessors` before `MakeStudentContentInert`,
replaces each such link by a `data:image/...;base64,` URI of the file.

The file is read from the instructor's copy of the assignment (`source/<assignment>/`), never
from the student's folder: a submission decides which of the instructor's images a cell shows,
not what the grader reads. A link that leaves that folder, names another kind of file or a
file whose bytes are not that image type is left as it is (a broken image, as before).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Int, Unicode

from autograders.sandbox.images import SIGNATURES

# each raster type the inert step keeps (inert_cells.RASTER_ATTACHMENTS) by file suffix
MIME_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
# `![alt](path)` or `![alt](path "title")`: group 2 is the path
MARKDOWN_IMAGE = re.compile(r"(!\[[^\]\n]*\]\()\s*([^)\s\"']+)(\s+\"[^\"\n]*\")?\s*\)")


class EmbedImages(Preprocessor):
    """Inline the assignment's own images into markdown cells as data: URIs."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled.").tag(
        config=True
    )
    source_folder = Unicode(
        "source",
        help="The instructor's source folder (CourseDirectory.source_directory, absolute or "
        "relative to the working folder); images come from <source_folder>/<assignment>/.",
    ).tag(config=True)
    max_bytes = Int(2_000_000, help="Images larger than this stay links.").tag(config=True)

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        folder = Path(self.source_folder, assignment).resolve()
        for cell in nb.cells:
            if cell.get("cell_type") == "markdown" and isinstance(cell.get("source"), str):
                cell.source = embed_images(cell.source, folder, self.max_bytes)
        return nb, resources


def embed_images(markdown: str, folder: Path, max_bytes: int) -> str:
    """`markdown` with each image link to a file in `folder` replaced by a data: URI."""

    def replace(match: re.Match[str]) -> str:
        uri = data_uri(folder, match.group(2), max_bytes)
        if uri is None:
            return match.group(0)
        return f"{match.group(1)}{uri}{match.group(3) or ''})"

    return MARKDOWN_IMAGE.sub(replace, markdown)


def data_uri(folder: Path, link: str, max_bytes: int) -> str | None:
    """The data: URI of the image `link` names inside `folder`, or None if it names none."""
    if ":" in link or link.startswith("/"):
        return None  # a URL or an absolute path: not one of the assignment's files
    path = (folder / link).resolve()
    mime = MIME_TYPES.get(path.suffix.lower())
    if mime is None or not path.is_relative_to(folder) or not path.is_file():
        return None
    if path.stat().st_size > max_bytes:
        return None
    data = path.read_bytes()
    if not data.startswith(SIGNATURES[mime]):
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
