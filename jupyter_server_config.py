"""Jupyter server settings for grading this course in the browser (the formgrader).

Start the server in the course root with this file, for example
    jupyter lab --config=jupyter_server_config.py
so that nbgrader's formgrader reads nbgrader_config.py (its sanitising markdown filter) and the
formgrader guard (autograders/nbgrader_plugin/formgrader_guard.py) refuses URLs whose names are
not valid ids and serves the students' own files in a sandbox.
"""

c = get_config()  # noqa: F821 (traitlets defines get_config while it loads this file)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "autograders.nbgrader_plugin.formgrader_guard": True,
}
