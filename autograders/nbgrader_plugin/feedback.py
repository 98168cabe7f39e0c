"""`HideHiddenTests`: keeps the hidden tests' code out of `nbgrader generate_feedback`.

The autograded notebook holds the instructor's full test cells (nbgrader restores them before
grading); a student's feedback must show what failed and why, not the hidden inputs and checks.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Unicode

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"


class HideHiddenTests(Preprocessor):
    """Replace each hidden-test region of a code cell by one comment line."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled.").tag(
        config=True
    )

    placeholder = Unicode(
        "# (hidden tests are not shown)", help="What stands in a hidden-test region in feedback."
    ).tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = hide_regions(cell.source, self.placeholder)
        return cell, resources


def hide_regions(source: str, placeholder: str) -> str:
    kept, hiding = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            hiding = True
            kept.append(line[: len(line) - len(line.lstrip())] + placeholder)
        elif line.strip() == END:
            hiding = False
        elif not hiding:
            kept.append(line)
    return "\n".join(kept)
