"""Find new and changed submissions by polling: cheap `stat` calls first, a digest second.

Each poll stats the assignment's notebooks of every student folder. A folder whose stat
signature changed is digested (SHA-256 of its notebooks' names and bytes) once the signature
has held still for one poll, so a folder still being copied in (`nbgrader collect`, rsync) is
not graded half-written. No inotify: polling works on network file systems too.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from autograders.layout import ASSIGNMENT, NOTEBOOK_FILES
from autograders.student_ids import is_valid_student_id, refusal

Signature = tuple[tuple[str, int, int, int], ...]


def signature(folder: Path) -> Signature:
    """(name, inode, size, mtime in ns) of each notebook present in `folder`."""
    found = []
    for name in NOTEBOOK_FILES:
        try:
            info = (folder / name).stat()
        except OSError:
            continue
        found.append((name, info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(found)


def digest(folder: Path) -> str:
    """SHA-256 over the notebooks' names and contents (a missing one counts as missing)."""
    hasher = hashlib.sha256()
    for name in NOTEBOOK_FILES:
        hasher.update(name.encode() + b"\0")
        try:
            content = (folder / name).read_bytes()
        except OSError:
            hasher.update(b"missing\0")
            continue
        hasher.update(len(content).to_bytes(8, "big") + content)
    return hasher.hexdigest()


class Scanner:
    """Polls `submitted` (nbgrader's layout); `changed()` returns the folders to grade."""

    def __init__(self, submitted: Path) -> None:
        self.submitted = submitted
        self._seen: dict[str, Signature] = {}  # signature last digested, per student
        self._moving: dict[str, Signature] = {}  # changed at the last poll: wait one more
        self._refused: set[str] = set()
        self._scanned = False

    def folders(self) -> dict[str, Path]:
        """student id -> assignment folder; invalid ids are refused once, on stderr."""
        try:
            entries = sorted(self.submitted.iterdir())
        except OSError:
            return {}
        folders = {}
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            if is_valid_student_id(entry.name):
                folders[entry.name] = entry / ASSIGNMENT
            elif entry.name not in self._refused:
                self._refused.add(entry.name)
                print(refusal(entry.name), file=sys.stderr)
        return folders

    def changed(self) -> list[tuple[str, Path, str]]:
        """(student id, folder, digest) of each folder changed and settled since the last
        call that returned it. A folder without any notebook yet is not returned."""
        ready = []
        for student_id, folder in self.folders().items():
            now = signature(folder)
            if not now or now == self._seen.get(student_id):
                continue
            if self._moving.get(student_id) != now:
                self._moving[student_id] = now  # changed since the last poll: let it settle
                continue
            del self._moving[student_id]
            self._seen[student_id] = now
            ready.append((student_id, folder, digest(folder)))
        self._scanned = True
        return ready

    def pending(self) -> bool:
        """True while a changed folder waits to settle, or before the first scan."""
        return bool(self._moving) or not self._scanned
