"""`TolerantNotebookExporter`: `nbgrader autograde` reads a submission exactly as
`python -m autograders grade` does.

Every notebook goes through `submission.load_notebook`, the CLI's reader: the same checks and
the same repairs (`autograders.normalise`: missing metadata, source or cell ids, repeated ids,
outputs on markdown cells, unknown cell types, copied or fake test cells, nbformat 4.0 to 4.4),
each repair logged. nbgrader then works on the repaired JSON, so a notebook nbformat would
reject is graded like the CLI grades it, and both front ends run the same cells.

Stock nbgrader stops at an unreadable notebook (invalid JSON, binary data, an old format) and
grades none of that student's assignment. Here such a notebook is replaced by the released
one, marked "not gradable" with the reason: its questions score 0 with that reason in the
feedback, and the student's other notebooks are graded as usual.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter

from autograders.submission import NotGradable, load_notebook

NOT_GRADABLE = "not_gradable"  # key in the notebook's metadata["autograders"]


class TolerantNotebookExporter(NotebookExporter):
    """A NotebookExporter that reads unreadable submissions as their blank release."""

    def from_filename(self, filename: str, resources=None, **kw):
        path = Path(filename)
        repairs: list[str] = []
        try:
            notebook = nbformat.from_dict(load_notebook(path, repairs))
        except NotGradable as why:
            self.log.error("Not gradable: %s (%s); its questions score 0", filename, why)
            notebook = self._released(path.name)
            notebook.metadata["autograders"] = {NOT_GRADABLE: str(why)}
        where = f"{path.parent.parent.name}/{path.stem}"  # <student>/<notebook>
        for repair in repairs:
            self.log.warning("%s: %s", where, repair)
        return self.from_notebook_node(notebook, resources=resources, **kw)

    def _released(self, name: str) -> nbformat.NotebookNode:
        assert self.parent is not None, "run by nbgrader's autograde converter, its parent"
        coursedir = self.parent.coursedir
        release = Path(
            coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id)
        )
        return nbformat.read(release / name, as_version=4)


def not_gradable_reason(notebook: nbformat.NotebookNode) -> str:
    """Why the exporter stood in for this notebook; "" for a notebook read as submitted."""
    return str(notebook.metadata.get("autograders", {}).get(NOT_GRADABLE, ""))
