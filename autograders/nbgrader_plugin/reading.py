"""`TolerantNotebookExporter`: lets `nbgrader autograde` grade a student whose notebook cannot
be read.

Stock nbgrader stops at an unreadable notebook (invalid JSON, binary data, an old format) and
grades none of that student's assignment. Here such a notebook is replaced by the released
one, marked "not gradable" with the reason: its questions score 0 with that reason in the
feedback, and the student's other notebooks are graded as usual. The checks are the same as
`python -m autograders grade` applies (`submission.load_notebook`), so both agree.
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
        try:
            load_notebook(Path(filename))
            notebook = nbformat.read(filename, as_version=4)
        except (NotGradable, ValueError, UnicodeDecodeError, nbformat.reader.NotJSONError) as why:
            reason = str(why) if isinstance(why, NotGradable) else "not a readable notebook"
            self.log.error("Not gradable: %s (%s); its questions score 0", filename, reason)
            notebook = self._released(Path(filename).name)
            notebook.metadata["autograders"] = {NOT_GRADABLE: reason}
        return self.from_notebook_node(notebook, resources=resources, **kw)

    def _released(self, name: str) -> nbformat.NotebookNode:
        coursedir = self.parent.coursedir
        release = Path(
            coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id)
        )
        return nbformat.read(release / name, as_version=4)


def not_gradable_reason(notebook: nbformat.NotebookNode) -> str:
    """Why the exporter stood in for this notebook; "" for a notebook read as submitted."""
    return str(notebook.metadata.get("autograders", {}).get(NOT_GRADABLE, ""))
