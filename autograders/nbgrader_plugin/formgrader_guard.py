"""A Jupyter server extension that closes the formgrader's crafted-URL and student-file holes.

nbgrader 0.9.6's formgrader writes the path parameters of its URLs unescaped into its pages
(`/formgrader/manage_students/<student>` puts `<student>` into `var student_id = "..."` and the
breadcrumbs; the same for assignment and notebook names), so a link sent to the instructor runs
script on the server's origin with the instructor's session. It also serves the files a student
handed in (`/formgrader/submissions/<id>/<file>`) on that origin, so a student's `notes.html`,
linked from their answer, runs there too. Jupyter's own `/files/` is sandboxed; these are not.

This extension registers, ahead of nbgrader's, the same routes with nbgrader's own handlers
subclassed:
- every path parameter must be a valid name (`autograders.student_ids`), else 400 and a fixed
  message; a submission page is refused (403) when its student's id is invalid;
- every formgrader page gets a Content-Security-Policy that forbids plugins, frames, `<base>`
  and foreign form targets, and images from anywhere but the server and `data:` URIs (a
  student's figures are inlined, and a remote image would tell its owner when the instructor
  opened the page); a student's file is served in a CSP sandbox (an opaque origin
  without scripts, so it can neither run nor reach the server's API).
Enabled by the course's jupyter_server_config.py, next to nbgrader's formgrader.
"""

from __future__ import annotations

import html
import inspect
from typing import TYPE_CHECKING

from jupyter_server.utils import url_path_join
from nbgrader.api import MissingEntry
from nbgrader.server_extensions.formgrader import handlers as formgrader
from tornado import web

from autograders.student_ids import RULE, is_valid_student_id

PAGE_POLICY = (
    "object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'self'; img-src 'self' data:"
)
STUDENT_FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self'"


if TYPE_CHECKING:  # what the mixin is mixed into: nbgrader's handlers are JupyterHandlers
    from jupyter_server.base.handlers import JupyterHandler as _Handler
else:
    _Handler = object


class GuardedPage(_Handler):
    """Mixin for nbgrader's page handlers: valid path parameters only, a stricter CSP."""

    check_path_arguments = True

    async def prepare(self, *args, **kwargs) -> None:
        if self.check_path_arguments:
            for value in [*self.path_args, *self.path_kwargs.values()]:
                if not is_valid_student_id(value):
                    raise web.HTTPError(400, f"Not a valid name in this URL (allowed: {RULE}).")
        result = super().prepare(*args, **kwargs)
        if inspect.isawaitable(result):
            await result

    @property
    def content_security_policy(self) -> str:
        return f"{super().content_security_policy}; {PAGE_POLICY}"

    def write_error(self, status_code: int, **kwargs) -> None:
        """The guard's own refusals as a small page; others as nbgrader renders them."""
        error = kwargs.get("exc_info", (None, None))[1]
        if status_code not in (400, 403) or not isinstance(error, web.HTTPError):
            return super().write_error(status_code, **kwargs)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            f"<!DOCTYPE html><title>{status_code}</title>"
            f"<p>{html.escape(error.log_message or '')}</p>"
        )


class GuardedSubmission(GuardedPage, formgrader.SubmissionHandler):
    """A submission's page, refused when its student's id is invalid."""

    @web.authenticated
    def get(self, submission_id: str):
        try:
            student = self.gradebook.find_submission_notebook_by_id(submission_id).student.id
        except MissingEntry:
            student = None  # nbgrader's handler answers 404
        if student is not None and not is_valid_student_id(student):
            self.log.error("formgrader: submission %s refused: invalid student id", submission_id)
            raise web.HTTPError(403, f"This student's id is not valid (allowed: {RULE}).")
        return super().get(submission_id)


class GuardedStudentFile(GuardedPage, formgrader.SubmissionFilesHandler):
    """A file of a submission, served in a CSP sandbox (its path is free-form)."""

    check_path_arguments = False

    @property
    def content_security_policy(self) -> str:
        return f"{super().content_security_policy}; {STUDENT_FILE_POLICY}"


SPECIAL = {
    formgrader.SubmissionHandler: GuardedSubmission,
    formgrader.SubmissionFilesHandler: GuardedStudentFile,
}


def guarded_routes(base_url: str) -> list[tuple]:
    """nbgrader's formgrader page routes, each with its handler wrapped by `GuardedPage`."""
    routes = []
    for pattern, handler, *rest in formgrader.default_handlers:
        if not issubclass(handler, formgrader.BaseHandler):
            continue  # static files (scripts, fonts) of nbgrader's own
        guarded = SPECIAL.get(handler) or type(
            f"Guarded{handler.__name__}", (GuardedPage, handler), {}
        )
        routes.append((url_path_join(base_url, pattern.lstrip("/")), guarded, *rest))
    return routes


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Register the guarded routes before every other rule, so they win over nbgrader's."""
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", guarded_routes(web_app.settings["base_url"]))
    rules = web_app.default_router.rules
    rules.insert(0, rules.pop(-2))  # add_handlers appended it just before the catch-all rule
    serverapp.log.info("formgrader guard: valid names in URLs, sandboxed student files")
