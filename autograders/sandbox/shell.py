"""Child side: an IPython shell that runs notebook cells as Jupyter would, without a kernel.

Magics, `!` lines, `%matplotlib inline` and `plt.show()` behave as in a notebook; figures stay
on the non-interactive Agg backend. Output goes to capped in-memory streams, so a cell that
prints a million lines costs memory for the first few kilobytes only.
"""

from __future__ import annotations

import io
import subprocess
import sys

from IPython.core.interactiveshell import InteractiveShell

OUTPUT_CAP = 8_000


class CappedStream(io.TextIOBase):
    """A text stream that keeps the first `OUTPUT_CAP` characters and counts the rest."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.reset()

    def reset(self) -> None:
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = OUTPUT_CAP - self._kept
        if room > 0:
            self._parts.append(text[:room])
            self._kept += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def isatty(self) -> bool:
        return False

    def getvalue(self) -> str:
        kept = "".join(self._parts)
        return kept + (f"\n... ({self.dropped} more characters not kept)" if self.dropped else "")


class SandboxShell(InteractiveShell):
    """InteractiveShell whose GUI and matplotlib hooks keep the Agg backend."""

    def enable_gui(self, gui=None):
        return None

    def system(self, cmd: str) -> None:
        """`!cmd` through pipes: IPython's default needs a pty, which the sandbox does not
        grant (another process's terminal is no business of a submission)."""
        done = subprocess.run(
            self.var_expand(cmd, depth=1),
            shell=True,
            text=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            errors="replace",
        )
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        self.user_ns["_exit_code"] = done.returncode

    def enable_matplotlib(self, gui=None):
        import matplotlib.pyplot  # noqa: F401  (already imported in the warm process)

        return gui, "agg"


def make_shell(ipython_dir: str) -> SandboxShell:
    """The shell, created once in the warm process and inherited by every child.

    IPython's history is switched off through the config, before the shell exists: otherwise
    the shell opens a SQLite database read-write (a descriptor every forked child would
    inherit, past Landlock, which checks only at open time: a channel between students) and
    starts a thread to save it (a threaded process cannot enter a user namespace).
    """
    from traitlets.config import Config

    config = Config({"HistoryManager": {"enabled": False, "hist_file": ":memory:"}})
    return SandboxShell.instance(
        config=config, ipython_dir=ipython_dir, colors="nocolor", history_length=0
    )
