"""What the file names of a Canvas or Moodle bulk download say: whose file, which file, how new.

Canvas ("Download Submissions" of an assignment): one flat zip, each file named

    <sortablename>[_LATE]_<user id>_<attachment id>_<file name>
    smithjane_LATE_1234_987654_derivatives-1.ipynb

where the sortable name is the student's "Last, First" in lower-case letters only, `_LATE`
marks a submission after the due date, and Canvas renames a file uploaded again under the
same name `name-1.ext`, `name-2.ext`, ... Ids grow with time: a larger attachment id is a
later upload.

Moodle ("Download all submissions" of an assignment), with or without "Download submissions
in folders":

    <Full Name>_<participant id>_assignsubmission_file_/<file name>
    <Full Name>_<participant id>_assignsubmission_file_<file name>

(`assignsubmission_onlinetext_` for online text). The participant id is per assignment: the
grading worksheet's "Identifier" column ("Participant 1234") holds it.

A browser or an operating system saves a second copy of a file as `name (1).ext`; both
suffixes are read as a version, and the newest version of a name wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

CANVAS = "canvas"
MOODLE = "moodle"
LMS_NAMES = (CANVAS, MOODLE)

CANVAS_NAME = re.compile(
    r"(?P<name>[^_/]*?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>[^/]+)"
)
MOODLE_NAME = re.compile(
    r"(?P<name>[^/]+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_/?(?P<file>.+)"
)
VERSION_SUFFIX = re.compile(r"(?P<stem>.+?)(?:-(?P<dash>\d+)| \((?P<paren>\d+)\))(?P<ext>\.[^.]*)?")


@dataclass(frozen=True)
class DownloadedFile:
    """One file of a bulk download, as its name describes it."""

    member: str  # the path inside the zip, as given
    lms_id: str  # Canvas user id or Moodle participant id
    file_name: str  # the student's file name, version suffix removed ("derivatives.ipynb")
    order: tuple[int, int]  # larger is newer: (attachment id or 0, version suffix or 0)
    late: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.lms_id, self.file_name)


def parse_member(lms: str, member: str, known_files: tuple[str, ...]) -> DownloadedFile | None:
    """The meaning of a zip member's path, or None when it follows no convention of `lms`.

    A version suffix is removed only when that gives one of `known_files` (the assignment's
    notebooks), so a student's own `my-2.py` keeps its name.
    """
    if lms == CANVAS:
        match = CANVAS_NAME.fullmatch(member)
        if not match:
            return None
        name, version = unversioned(match["file"], known_files)
        order = (int(match["attachment"]), version)
        return DownloadedFile(member, match["user"], name, order, late=bool(match["late"]))
    match = MOODLE_NAME.fullmatch(member)
    if not match:
        return None
    name, version = unversioned(PurePosixPath(match["file"]).name, known_files)
    return DownloadedFile(member, match["participant"], name, (0, version))


def unversioned(file_name: str, known_files: tuple[str, ...]) -> tuple[str, int]:
    """(`file_name` without a `-N` or ` (N)` suffix, N), when that names a known file."""
    match = VERSION_SUFFIX.fullmatch(file_name)
    if match and file_name not in known_files:
        stem = match["stem"] + (match["ext"] or "")
        if stem in known_files:
            return stem, int(match["dash"] or match["paren"])
    return file_name, 0
