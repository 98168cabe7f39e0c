"""`refuse_invalid_student_ids`: nbgrader grades and shows only students with a valid id.

nbgrader takes a student id from a folder name and writes it unescaped into the formgrader's
pages (`var student_id = "{{ student_id }}"`, the breadcrumbs, the submission's header), so an
id such as `"><svg onload=...>` runs script there. `nbgrader autograde` adds the student to the
gradebook before any preprocessor sees the notebook, so the check has to come earlier: in the
converter's `init_destination`, which nbgrader calls first for each student and which may say
"skip this one" (as it does for `--CourseDirectory.student_id_exclude`). nbgrader has no
configurable hook there, hence this small, idempotent wrapper installed by nbgrader_config.py.
"""

from __future__ import annotations

import functools

from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.converters.base import BaseConverter

from autograders.student_ids import is_valid_student_id, refusal

MARK = "_refuses_invalid_student_ids"


def refuse_invalid_student_ids(
    *converters: type[BaseConverter],
) -> None:
    """Make each converter class (default: Autograde, GenerateFeedback) skip a student whose
    id is invalid, with an error in nbgrader's log; the rest of the class is graded."""
    for converter in converters or (Autograde, GenerateFeedback):
        original = converter.init_destination
        if getattr(original, MARK, False):
            continue
        converter.init_destination = _checking(original)


def _checking(original):
    @functools.wraps(original)
    def init_destination(self: BaseConverter, assignment_id: str, student_id: str) -> bool:
        if not is_valid_student_id(student_id):
            self.log.error("%s: %s", assignment_id, refusal(student_id))
            return False
        return original(self, assignment_id, student_id)

    setattr(init_destination, MARK, True)
    return init_destination
