"""nbgrader preprocessors that put the isolated engine behind `nbgrader autograde`, keep
hidden tests out of `nbgrader generate_feedback`, and keep student content inert in every page
nbgrader renders. Wired up in the course's nbgrader_config.py (and, for the formgrader's URL
guard, in jupyter_server_config.py).
"""

from autograders.nbgrader_plugin.embed_images import EmbedImages
from autograders.nbgrader_plugin.execute import IsolatedExecute
from autograders.nbgrader_plugin.feedback import HideHiddenTests
from autograders.nbgrader_plugin.inert_cells import MakeStudentContentInert
from autograders.nbgrader_plugin.reading import TolerantNotebookExporter
from autograders.nbgrader_plugin.sanitize import RestoreTestCells
from autograders.nbgrader_plugin.student_check import refuse_invalid_student_ids
from autograders.nbgrader_plugin.ungraded import WarnUngraded

__all__ = [
    "EmbedImages",
    "HideHiddenTests",
    "IsolatedExecute",
    "MakeStudentContentInert",
    "RestoreTestCells",
    "TolerantNotebookExporter",
    "WarnUngraded",
    "refuse_invalid_student_ids",
]
