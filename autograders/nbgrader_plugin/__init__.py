"""nbgrader preprocessors that put the isolated engine behind `nbgrader autograde` and keep
hidden tests out of `nbgrader generate_feedback`. Wired up in the course's nbgrader_config.py.
"""

from autograders.nbgrader_plugin.execute import IsolatedExecute
from autograders.nbgrader_plugin.feedback import HideHiddenTests
from autograders.nbgrader_plugin.reading import TolerantNotebookExporter
from autograders.nbgrader_plugin.sanitize import RestoreTestCells

__all__ = ["HideHiddenTests", "IsolatedExecute", "RestoreTestCells", "TolerantNotebookExporter"]
