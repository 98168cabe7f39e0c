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

# --- grading engine (see autograders/nbgrader_plugin) ---
