"""nbgrader settings for this course; nbgrader reads this file from the folder it runs in.

Layout (nbgrader's defaults, relative to the course root):
  source/derivatives/      the instructor's notebooks, with solutions and hidden tests
  release/derivatives/     what students get, made by `nbgrader generate_assignment derivatives`
  submitted/<student>/derivatives/, autograded/, feedback/, gradebook.db   made when grading
"""

import os

c = get_config()  # noqa: F821 (traitlets defines get_config while it loads this file)

# The course root is the folder of this file, so a fresh clone works wherever it lies, and so
# does a copy of the course in a temporary folder (the tests grade in such copies).
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "pytorch-autograd"

# Each notebook imports torch (a few seconds); no cell of the solution needs more than that.
c.Execute.timeout = 120

# What replaces each solution in the release. nbgrader's default ends in a bare
# `NotImplementedError()`, a traceback that says nothing (and, raised inside a custom Function,
# one that runs through torch's internals): the message tells the student what to do.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("Replace this line with your answer")'
}

# --- grading engine (see autograders/nbgrader_plugin) ---
# Stock nbgrader runs a submission and its tests in one kernel that can read and write the whole
# course. Here `IsolatedExecute` takes the place of `Execute`: no kernel starts, the cells run in
# the project's sandbox, and the verdict of each test cell is decided outside the student's
# process (see README.md, "Grading with nbgrader autograde"). The other steps are nbgrader's own,
# in nbgrader's order: grades are saved after the outputs exist, late penalties after grades.
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # a checkout that is not installed
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from autograders.nbgrader_plugin import (  # noqa: E402
    EmbedImages,
    HideHiddenTests,
    IsolatedExecute,
    MakeStudentContentInert,
    RestoreTestCells,
    TolerantNotebookExporter,
    WarnUngraded,
    refuse_invalid_student_ids,
)

# A student id is a folder name nbgrader writes unescaped into the formgrader's pages: a folder
# whose name is not a valid id (autograders/student_ids.py) is skipped by autograde and
# generate_feedback, with an error in the log, before the gradebook ever holds it.
refuse_invalid_student_ids()

# An unreadable notebook (invalid JSON, binary, nbformat 3) costs its own questions, not the
# student's whole assignment.
c.Autograde.exporter_class = TolerantNotebookExporter
# Fake or duplicated grade cells lose their metadata and missing test cells come back from the
# instructor's copy (each logged) before OverwriteCells restores the tests' source and points.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreTestCells,
    OverwriteCells,
    CheckCellMetadata,
    MakeStudentContentInert,  # last: the stored autograded notebook is inert
]

c.Autograde.autograde_preprocessors = [
    IsolatedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
    MakeStudentContentInert,
]
c.IsolatedExecute.timeout = 10.0  # seconds per cell and per question
# Feedback shows what failed and why, not the hidden tests' code, and nothing active. Order:
# WarnUngraded after GetGrades (it reads the same gradebook) and warns before anything is
# released; EmbedImages before the inert step, which keeps data:image URIs and checks them like
# any other markdown (release_feedback ships the HTML alone, without images/).
c.GenerateFeedback.preprocessors = [
    GetGrades,
    WarnUngraded,
    CSSHTMLHeaderPreprocessor,
    HideHiddenTests,
    EmbedImages,
    MakeStudentContentInert,
]
c.EmbedImages.source_folder = os.path.join(c.CourseDirectory.root, "source")

# --- pages that show student work (formgrader, feedback) ---
# nbgrader's formgrade and feedback templates render markdown through the exporter's own
# `markdown2html` filter, raw HTML included (`HTMLExporter.sanitize_html` does not reach it).
# This one renders the same markdown and sanitises the result with an allow-list, so even a
# notebook graded without the preprocessor above shows nothing active. The formgrader reads
# this file when the Jupyter server runs in the course root.
c.HTMLExporter.filters = {"markdown2html": "autograders.nbgrader_plugin.inert_html.markdown2html"}
