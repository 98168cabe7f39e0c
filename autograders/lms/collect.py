"""`autograders collect`: a Canvas or Moodle bulk download into nbgrader's submitted layout.

    OUT/<student_id>/derivatives/<file name>

Each zip member is read through `names.parse_member` and the roster; of the files a student
handed in under one name, the newest wins. Nothing is dropped silently: every member that
matches no student, every superseded version, every skipped member and every roster student
without a submission is listed in the report (`OUT/collect-report.txt`, and on stderr).

Members are read from the zip and written to paths built here from the student id and the
file's own base name: a member path never becomes a path on disk (no `../`, no symlinks).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograders import layout
from autograders.lms.names import DownloadedFile, parse_member
from autograders.lms.roster import Roster
from autograders.student_ids import shown

MAX_MEMBER_BYTES = 64 * 1024 * 1024  # a larger member is skipped and reported (zip bombs)
REPORT_NAME = "collect-report.txt"


@dataclass
class CollectReport:
    collected: dict[str, list[str]] = field(default_factory=dict)  # student id -> file names
    late: list[str] = field(default_factory=list)  # student ids with a late file (Canvas)
    unmatched: list[str] = field(default_factory=list)  # members that match no student
    superseded: list[str] = field(default_factory=list)  # older versions, not collected
    skipped: list[str] = field(default_factory=list)  # members not written, and why
    without_submission: list[str] = field(default_factory=list)  # roster students, no file

    def lines(self) -> list[str]:
        """The report as text lines, one section per kind of finding."""
        notebooks = set(layout.NOTEBOOK_FILES)
        extra = [
            f"{student}: {shown(name)}"
            for student, names in sorted(self.collected.items())
            for name in names
            if name not in notebooks
        ]
        sections = [
            ("files that match no student in the roster (not collected)", self.unmatched),
            ("older versions superseded by a newer upload (not collected)", self.superseded),
            ("members skipped", self.skipped),
            ("students in the roster without a submission", self.without_submission),
            ("students with a late submission", self.late),
            ("files collected that are not one of the assignment's notebooks", extra),
        ]
        lines = [f"collected {len(self.collected)} students"]
        for title, items in sections:
            if items:
                lines += [f"{title}: {len(items)}", *(f"  {item}" for item in items)]
        return lines


def collect(*, download: Path, lms: str, roster: Roster, out: Path) -> CollectReport:
    """Unpack the bulk download `download` of `lms` into `out` (nbgrader's layout) and write
    the report; raises zipfile.BadZipFile / OSError when the download cannot be read."""
    report = CollectReport()
    with zipfile.ZipFile(download) as archive:
        newest = pick_newest(archive, lms, roster, report)
        for found in sorted(newest.values(), key=lambda f: f.member):
            student_id = roster.by_lms_id[found.lms_id]["student_id"]
            target = out / student_id / layout.ASSIGNMENT / found.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(found.member))
            report.collected.setdefault(student_id, []).append(found.file_name)
            if found.late and student_id not in report.late:
                report.late.append(student_id)
    report.without_submission = [
        row["student_id"] for row in roster.rows if row["student_id"] not in report.collected
    ]
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT_NAME).write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    return report


def pick_newest(
    archive: zipfile.ZipFile, lms: str, roster: Roster, report: CollectReport
) -> dict[tuple[str, str], DownloadedFile]:
    """The newest file per (student, file name); every other member goes into `report`."""
    newest: dict[tuple[str, str], DownloadedFile] = {}
    for info in archive.infolist():
        if info.is_dir() or is_noise(info.filename):
            continue
        found = parse_member(lms, info.filename, layout.NOTEBOOK_FILES)
        if found is None or found.lms_id not in roster.by_lms_id:
            why = "no student with this id in the roster" if found else f"not a {lms} name"
            report.unmatched.append(f"{shown(info.filename)} ({why})")
        elif why_skipped := skip_reason(info, found):
            report.skipped.append(f"{shown(info.filename)} ({why_skipped})")
        elif found.key not in newest or found.order > newest[found.key].order:
            if found.key in newest:
                report.superseded.append(shown(newest[found.key].member))
            newest[found.key] = found
        else:
            report.superseded.append(shown(info.filename))
    return newest


def skip_reason(info: zipfile.ZipInfo, found: DownloadedFile) -> str:
    """Why a member of a known student is not written ("" when it is)."""
    if info.file_size > MAX_MEMBER_BYTES:
        return f"larger than {MAX_MEMBER_BYTES} bytes"
    name = found.file_name
    if name in ("", ".", "..") or "/" in name or "\\" in name or name.startswith("."):
        return "not a plain file name"
    return ""


def is_noise(member: str) -> bool:
    """Folders and files that archivers add (macOS resource forks, Finder metadata)."""
    parts = PurePosixPath(member).parts
    return "__MACOSX" in parts or PurePosixPath(member).name == ".DS_Store"
