"""Find new and changed submissions: cheap `stat` calls first, a digest second.

A folder whose stat signature changed is digested (SHA-256 of its notebooks' names and bytes)
only once it has settled, so a folder still being copied in (`nbgrader collect`, rsync) is not
graded half-written. Two ways to learn what changed:

  polling   (no `events`) each call stats the notebooks of every student folder; a changed
            signature must hold still until the next call (one poll) to count as settled
  inotify   (`events`, see `inotify.py`) only the folders with events are looked at, once no
            event came for `settle` seconds; every `rescan` seconds, and when events were lost,
            every folder is statted as in polling, and a change found that way waits `settle`
            like one reported by inotify (what inotify cannot see: a network file system)
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from autograders.layout import ASSIGNMENT, NOTEBOOK_FILES
from autograders.student_ids import is_valid_student_id, refusal
from autograders.watch.inotify import Inotify

Signature = tuple[tuple[str, int, int, int], ...]
POLL = 0.05  # seconds between two scans of every folder, when polling
SETTLE = 0.02  # seconds without an event before a changed folder is graded (inotify)
RESCAN = 2.0  # seconds between full scans when inotify reports the changes


def signature(folder: Path) -> Signature:
    """(name, inode, size, mtime in ns) of each notebook present in `folder`."""
    found = []
    for name in NOTEBOOK_FILES:
        try:
            info = os.stat(os.path.join(folder, name))
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
    """Watches `submitted` (nbgrader's layout); `changed()` returns the folders to grade."""

    def __init__(
        self,
        submitted: Path,
        events: Inotify | None = None,
        *,
        settle: float = SETTLE,
        rescan: float = RESCAN,
    ) -> None:
        self.submitted, self.events = submitted, events
        self.settle, self.rescan = settle, rescan
        self._seen: dict[str, Signature] = {}  # signature last digested, per student
        self._moving: dict[str, Signature] = {}  # polling: changed at the last poll, wait one more
        self._refused: set[str] = set()
        self._scanned = False
        self._rescan_at = 0.0

    def folders(self) -> dict[str, Path]:
        """student id -> assignment folder; invalid ids are refused once, on stderr."""
        try:
            entries = sorted(
                (entry.name for entry in os.scandir(self.submitted) if entry.is_dir()),
            )
        except OSError:
            return {}
        return {name: self.submitted / name / ASSIGNMENT for name in entries if self._valid(name)}

    def _valid(self, name: str) -> bool:
        if name.startswith("."):
            return False
        if is_valid_student_id(name):
            return True
        if name not in self._refused:
            self._refused.add(name)
            print(refusal(name), file=sys.stderr)
        return False

    def changed(self) -> list[tuple[str, Path, str]]:
        """(student id, folder, digest) of each folder changed and settled since the last
        call that returned it. A folder without any notebook yet is not returned."""
        found = self._from_polling() if self.events is None else self._from_events(self.events)
        self._scanned = True
        return found

    def _from_polling(self) -> list[tuple[str, Path, str]]:
        ready = []
        for student_id, folder in self.folders().items():
            now = signature(folder)
            if not now or now == self._seen.get(student_id):
                continue
            if self._moving.get(student_id) != now:
                self._moving[student_id] = now  # changed since the last poll: let it settle
                continue
            del self._moving[student_id]
            ready.append(self._take(student_id, folder, now))
        return ready

    def _from_events(self, events: Inotify) -> list[tuple[str, Path, str]]:
        quiet, overflowed = events.quiet(self.settle)
        if overflowed or time.monotonic() >= self._rescan_at:
            self._rescan_at = time.monotonic() + self.rescan
            for student_id, folder in self.folders().items():
                now = signature(folder)
                if now and now != self._seen.get(student_id):
                    events.mark(student_id)  # graded once quiet, as if inotify had said so
        ready = []
        for student_id in sorted(quiet):
            if not self._valid(student_id):
                continue
            folder = self.submitted / student_id / ASSIGNMENT
            now = signature(folder)
            if now and now != self._seen.get(student_id):
                ready.append(self._take(student_id, folder, now))
        return ready

    def _take(self, student_id: str, folder: Path, now: Signature) -> tuple[str, Path, str]:
        self._seen[student_id] = now
        return student_id, folder, digest(folder)

    def pending(self) -> bool:
        """True while a changed folder waits to settle, or before the first scan."""
        if not self._scanned or self._moving:
            return True
        return self.events is not None and self.events.next_quiet(self.settle) is not None

    def next_due(self) -> float | None:
        """Seconds until `changed()` may find something not yet reported; None: polling."""
        if self.events is None:
            return None
        waiting = self.events.next_quiet(self.settle)
        until_rescan = max(0.0, self._rescan_at - time.monotonic())
        return until_rescan if waiting is None else min(waiting, until_rescan)
