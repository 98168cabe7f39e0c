"""Child side: an IPython shell that runs notebook cells as Jupyter would, without a kernel.

What a notebook sees in JupyterLab, it sees here (tests/fidelity compares with a real kernel):
matplotlib runs on Jupyter's own inline backend, so `plt.show()` shows and closes the open
figures and every figure still open when a cell ends is closed then; the namespace is a
`__main__` module; the notebook's folder (here the child's working folder) is importable, as
IPython puts '' on `sys.path`. Magics and `!` lines work. Output goes to capped in-memory
streams, so a cell that prints a million lines costs memory for the first few kilobytes only.
"""

from __future__ import annotations

import builtins
import io
import os
import subprocess
import sys

from IPython.core.interactiveshell import InteractiveShell

OUTPUT_CAP = 8_000
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # ipykernel's default backend
MAIN_MODULE_DOC = "Automatically created module for IPython interactive environment"


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
    """InteractiveShell on Jupyter's inline matplotlib backend, with no GUI event loop."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        use_inline_backend(self)

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
        """`%matplotlib` (any GUI) keeps the inline backend: there is no display to draw on,
        and `%matplotlib inline`, the one students use, is then a no-op as in JupyterLab."""
        return gui, "inline"


def use_inline_backend(shell: InteractiveShell) -> None:
    """Switch matplotlib to ipykernel's inline backend, configured as a kernel configures it:
    interactive mode on, and the `post_execute` hook that shows, then closes, the figures a
    cell opened. Figures are shown as text only: rendering PNGs nobody sees costs time."""
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support
    from matplotlib_inline.config import InlineBackend

    activate_matplotlib(INLINE_BACKEND)
    InlineBackend.instance(parent=shell).figure_formats = set()
    configure_inline_support(shell, INLINE_BACKEND)


def end_of_cell(shell: InteractiveShell) -> None:
    """What a kernel does when a cell ends (the inline backend closes its figures): for a
    grader's check, which stands for one test cell but is not run by `run_cell`."""
    shell.events.trigger("post_execute")


def open_figures() -> set[int | str]:
    """The numbers of pyplot's open figures (ints, unless student code set its own)."""
    from matplotlib._pylab_helpers import Gcf

    return {manager.num for manager in Gcf.get_all_fig_managers()}


def close_figures_except(keep: set[int | str]) -> None:
    """Close pyplot's figures opened since `open_figures()` returned `keep`."""
    from matplotlib._pylab_helpers import Gcf

    for manager in Gcf.get_all_fig_managers():
        if manager.num not in keep:
            Gcf.destroy(manager)  # by manager, as matplotlib recommends: numbers may repeat


def as_in_a_notebook(shell: InteractiveShell) -> None:
    """Per child, before the first cell: the namespace is `__main__` again (the warm process
    cleared it) and the working folder is importable, as in a kernel.

    IPython's kernel app inserts '' before the first site-packages folder (after the standard
    library), so a module a cell writes (`%%writefile helper.py`) can be imported, but not
    shadow an installed package.
    """
    names = {
        "__name__": "__main__",
        "__doc__": MAIN_MODULE_DOC,
        "__package__": None,
        "__loader__": None,
        "__spec__": None,
        "__builtins__": builtins,
    }
    shell.user_ns.update(names)
    if "" not in sys.path:
        sys.path.insert(_site_packages_index(), "")


def _site_packages_index() -> int:
    for index, path in enumerate(sys.path):
        if os.path.basename(path) in ("site-packages", "dist-packages"):
            return index
    return 0


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
