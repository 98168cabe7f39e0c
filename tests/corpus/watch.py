"""What the corpus run watches from outside the grader: files that must not change, processes
that must not outlive it, and a port that must never be reached.

All of it runs in the test process, never in the sandbox, and reads only plain facts.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterable
from pathlib import Path

import psutil

from tests.corpus.escapes import BACKGROUND_MARKER, PLANTED_NAME, TAMPER_MARK


def digest(root: Path, skip: Iterable[str] = ()) -> dict[str, str]:
    """relative path -> sha256 of every file under root (folders named in skip left out)."""
    skipped = set(skip)
    found = {}
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skipped)
        for name in files:
            path = Path(folder, name)
            try:
                found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                found[str(path.relative_to(root))] = "unreadable"
    return found


def course_digest(course: Path) -> dict[str, str]:
    """The course files a submission must not change (source/, release/, nbgrader_config.py),
    each path -> sha256."""
    return {
        f"{name}/{path}": sha
        for name in ("source", "release", "nbgrader_config.py")
        for path, sha in digest(course / name).items()
    }


def files_with_mark(root: Path, skip: Iterable[str] = (), newer_than: float = 0.0) -> list[Path]:
    """Files under root, modified after newer_than, that contain the escape mark."""
    skipped, mark, hits = set(skip), TAMPER_MARK.encode(), []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skipped]
        for name in files:
            path = Path(folder, name)
            try:
                if path.stat().st_mtime >= newer_than and mark in path.read_bytes():
                    hits.append(path)
            except OSError:
                continue
    return hits


def marked_processes() -> list[psutil.Process]:
    """Live processes started by the corpus's background submissions."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "status"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if (
            BACKGROUND_MARKER in cmdline
            and process.pid != os.getpid()
            and process.info["status"] != psutil.STATUS_ZOMBIE
        ):
            found.append(process)
    return found


def planted_files(home: Path, venv: Path) -> list[Path]:
    """Start-up files the plants_startup_files submission would leave behind if it escaped."""
    places = [home / ".ipython", home / ".local", venv / "lib"]
    return [path for place in places if place.exists() for path in place.rglob(f"*{PLANTED_NAME}*")]


def home_state(home: Path) -> dict[str, list[str]]:
    """The names in the folders a planted start-up file would go into."""
    folders = [
        home / ".ipython" / "profile_default" / "startup",
        *sorted(home.glob(".local/lib/python*/site-packages")),
    ]
    return {str(f): sorted(p.name for p in f.iterdir()) if f.is_dir() else [] for f in folders}


class Listener:
    """Accepts TCP connections on 127.0.0.1:port in a thread and remembers each one."""

    def __init__(self, port: int) -> None:
        self.connections: list[tuple[str, int]] = []
        self.bound = False
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind(("127.0.0.1", port))
        except OSError:
            return
        self._socket.listen(16)
        self._socket.settimeout(0.2)
        self.bound = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, address = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        if self.bound:
            self._stop.set()
            self._thread.join(timeout=2)
        self._socket.close()
