"""A one-line progress bar for the CLI, redrawn in place while a class is graded.

    grading [########............] 12/40 students  3.1 s  eta 7 s  alice

It draws only on a terminal: when stderr goes to a file or a CI log it prints nothing at all, so
logs stay clean. Worker threads may call `advance` concurrently.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 20
LABEL_WIDTH = 24  # labels are student ids: keep the line short enough not to wrap


class Progress:
    """Counts finished students out of `total` and redraws the bar on each `advance`.

    `stream` defaults to the current `sys.stderr` (looked up when created, so redirections made
    by tests and by the CLI are honoured). `enabled` defaults to `stream.isatty()`.
    Use as a context manager, or call `close()` to end the line.
    """

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(0, total)
        self.done = 0
        self._stream = sys.stderr if stream is None else stream
        self._enabled = _is_tty(self._stream) if enabled is None else enabled
        self._clock = clock
        self._started = clock()
        self._last_width = 0
        self._closed = False
        self._lock = threading.Lock()

    def advance(self, label: str = "") -> None:
        """Count one more finished student (`label`, e.g. their id, is shown at the end)."""
        with self._lock:
            self.done += 1
            if self._enabled and not self._closed:
                self._draw(self.render_line(label))

    def close(self) -> None:
        """End the bar's line so that later output starts on a fresh line; safe to repeat."""
        with self._lock:
            if self._enabled and not self._closed and self._last_width:
                self._stream.write("\n")
                self._stream.flush()
            self._closed = True

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def render_line(self, label: str = "") -> str:
        """The bar as text, without the leading carriage return."""
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = round(BAR_WIDTH * fraction)
        elapsed = self._clock() - self._started
        line = (
            f"grading [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{self.done}/{self.total} students  {elapsed:.1f} s"
        )
        if 0 < self.done < self.total:
            line += f"  eta {elapsed / self.done * (self.total - self.done):.0f} s"
        safe_label = printable(label)[:LABEL_WIDTH]
        return f"{line}  {safe_label}" if safe_label else line

    def _draw(self, line: str) -> None:
        # Pad with spaces: a shorter line must wipe the end of the previous, longer one.
        padding = " " * max(0, self._last_width - len(line))
        self._stream.write(f"\r{line}{padding}")
        self._stream.flush()
        self._last_width = len(line)


def printable(text: str) -> str:
    """`text` without control characters: a folder name must not drive the terminal."""
    return "".join(char if char.isprintable() else "?" for char in text)


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False
