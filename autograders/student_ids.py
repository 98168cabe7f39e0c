"""What a student id may look like: the one rule for both front ends and the formgrader guard.

A student id is a folder name chosen outside the instructor's control (nbgrader's exchange
accepts any `--student`, `collect` only warns), and nbgrader writes it unescaped into HTML,
JavaScript strings and URLs. So an id is accepted only when it cannot mean anything there:
1 to 64 characters from `A-Z a-z 0-9 _ . @ -`, not starting with a dot (hidden folders,
`.` and `..`). No quotes, angle brackets, ampersands, slashes, spaces or control characters.
"""

from __future__ import annotations

import re

MAX_LENGTH = 64
PATTERN = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9_.@-]{0,63}")
RULE = "1 to 64 characters from A-Z a-z 0-9 _ . @ -, not starting with a dot"


def is_valid_student_id(student_id: object) -> bool:
    """Whether `student_id` follows the rule above."""
    return isinstance(student_id, str) and PATTERN.fullmatch(student_id) is not None


def why_invalid(student_id: str) -> str | None:
    """None for a valid id; otherwise a short reason a person can act on."""
    if is_valid_student_id(student_id):
        return None
    if not student_id:
        return "it is empty"
    if len(student_id) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters"
    if student_id.startswith("."):
        return "it starts with a dot"
    bad = sorted({char for char in student_id if not PATTERN.fullmatch("a" + char)})
    return "it contains " + ", ".join(shown(char) for char in bad[:5])


def shown(text: str) -> str:
    """`text` quoted for a log line or a terminal: ASCII only, control and markup characters
    escaped, so the text can neither run in a page nor move a terminal's cursor."""
    return ascii(text).replace("<", "\\x3c").replace(">", "\\x3e").replace("&", "\\x26")


def refusal(student_id: str) -> str:
    """The message that says a folder is not graded because of its name."""
    return (
        f"student folder {shown(student_id)} refused: not a valid student id "
        f"({why_invalid(student_id)}; allowed: {RULE}); it was set aside, not graded"
    )
