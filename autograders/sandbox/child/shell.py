"""Child side: an IPython shell that runs notebook cells as Jupyter would, without a kernel.

What a notebook sees in JupyterLab, it sees here (tests/fidelity compares with a real kernel):
matplotlib runs on Jupyter's own inline backend, so `plt.show()` shows and closes the open
figures and every figure still open when a cell ends is closed then; the namespace is a
`__main__` module; the notebook's folder (here the child's working folder) is importable, as
IPython puts '' on `sys.path`. Magics and `!` lines work. Output goes to capped in-memory
streams, so a cell that prints a million lines costs memory for the first few kilobytes only.

While the notebook's cells run, what each cell shows is kept in order as a kernel saves it
(`CellOutputs`): its stream text, and each display (a figure at `plt.show()` or at the end of
the cell, `display(...)`, the cell's last value) as its text/plain with a PNG or JPEG image when
it has one. Figures are rendered as the inline backend renders them in JupyterLab (PNG, the
default rc, `bbox_inches="tight"`), and only when shown in a cell: a grader's check renders
none, since no one sees them.
"""

from __future__ import annotations

import base64
import builtins
import io
import os
import subprocess
import sys

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type

from autograders.sandbox import images
from autograders.sandbox.messages import DISPLAY_TEXT_CAP, not_kept

OUTPUT_CAP = 8_000
MAX_DISPLAYS_PER_CELL = 100
PNG_COMPRESSION = {"compress_level": 1}  # see `use_inline_backend`
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # ipykernel's default backend
MAIN_MODULE_DOC = "Automatically created module for IPython interactive environment"


class CappedStream(io.TextIOBase):
    """A text stream that keeps the first `OUTPUT_CAP` characters and counts the rest."""

    def __init__(self, name: str, outputs: CellOutputs | None = None) -> None:
        self.name = name
        self.outputs = outputs  # where the kept text also goes, in order with displays
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
            if self.outputs is not None:
                self.outputs.stream(self.name, text[:room])
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def isatty(self) -> bool:
        return False

    def getvalue(self) -> str:
        return "".join(self._parts) + self.dropped_note()

    def dropped_note(self) -> str:
        return f"\n... ({self.dropped} more characters not kept)" if self.dropped else ""


class CellOutputs:
    """What one cell showed, in order: stream text and displays, as plain data for its report
    (`messages.CellOutput`). Only what the grader keeps is carried: text, and PNG or JPEG
    images within the caps of `images`; any other representation (HTML, SVG, JavaScript,
    widgets) as its text/plain, as a page that may run nothing would show it."""

    def __init__(self) -> None:
        self.recording = False  # while the notebook's cells run
        self.image_formatters: list = []  # IPython's, on only while an image may be kept
        self.start(recording=False)

    def start(self, recording: bool) -> None:
        """Before the notebook's first cell (True), and after its last (False)."""
        self.recording = recording
        self.notebook_images = 0
        self.reset()

    def reset(self, source: str = "") -> None:
        """Before each cell."""
        self.source = source  # the cell's code, for its trailing `;`
        self.items: list[dict] = []
        self.displays = 0
        self.images = 0
        self.image_bytes = 0
        self._render_images_while_room()

    def _render_images_while_room(self) -> None:
        """A figure is rendered only if its image can be kept: past the caps (of the cell,
        and of the notebook the grader keeps), figures show as their text, at no cost."""
        room = (
            self.images < images.MAX_IMAGES_PER_CELL
            and self.notebook_images < images.MAX_IMAGES_PER_NOTEBOOK
        )
        for formatter in self.image_formatters:
            formatter.enabled = self.recording and room

    def stream(self, name: str, text: str) -> None:
        if not (self.recording and text):
            return
        last = self.items[-1] if self.items else None
        if last is not None and last["type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"type": "stream", "name": name, "text": text})

    def display(self, data: dict) -> None:
        """Keep a display's text/plain and its first raster image, if within the caps."""
        self.displays += 1
        if self.displays > MAX_DISPLAYS_PER_CELL:
            if self.displays == MAX_DISPLAYS_PER_CELL + 1:
                self.items.append(dict(not_kept(f"more than {MAX_DISPLAYS_PER_CELL} displays")))
            return
        text = data.get("text/plain")
        item: dict = {
            "type": "display",
            "text": text[:DISPLAY_TEXT_CAP] if isinstance(text, str) else "",
        }
        for key, mime in images.OUTPUT_IMAGES.items():
            if mime in data:
                image = _base64_text(data[mime])
                problem = self._image_problem(mime, image)
                if problem:
                    item = dict(not_kept(f"an image ({problem})"))
                else:
                    item[key] = image
                    self.images += 1
                    self.notebook_images += 1
                    self.image_bytes += images.decoded_size(str(image))
                    self._render_images_while_room()
                break
        self.items.append(item)

    def _image_problem(self, mime: str, image: object) -> str | None:
        problem = images.image_problem(mime, image)
        if problem or not isinstance(image, str):
            return problem
        if self.images >= images.MAX_IMAGES_PER_CELL:
            return f"more than {images.MAX_IMAGES_PER_CELL} images in one cell"
        if self.image_bytes + images.decoded_size(image) > images.MAX_IMAGE_BYTES_PER_CELL:
            return f"more than {images.MAX_IMAGE_BYTES_PER_CELL // 1_000_000} MB of images"
        return None

    def report(self, streams: list[CappedStream]) -> list[dict]:
        """The cell's outputs, with a note for each stream that printed past its cap."""
        for stream in streams:
            self.stream(stream.name, stream.dropped_note())
        return self.items


def _base64_text(data: object) -> object:
    """IPython's formatters give base64 text; a raw `_repr_png_` may give bytes."""
    return base64.b64encode(data).decode("ascii") if isinstance(data, bytes) else data


class RecordingPublisher(DisplayPublisher):
    """`display(...)` while cells run: kept in the cell's outputs. Otherwise (a grader's
    check) its text is printed, as IPython's terminal does."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        outputs = getattr(self.shell, "cell_outputs", None)
        if isinstance(outputs, CellOutputs) and outputs.recording and isinstance(data, dict):
            outputs.display(data)
        elif isinstance(data, dict) and isinstance(data.get("text/plain"), str):
            print(data["text/plain"])

    def clear_output(self, wait=False) -> None:
        """`clear_output()` empties the cell's outputs, as in JupyterLab (the caps stay used)."""
        outputs = getattr(self.shell, "cell_outputs", None)
        if isinstance(outputs, CellOutputs) and outputs.recording:
            outputs.items.clear()


class RecordingDisplayHook(DisplayHook):
    """A cell's last value: while cells run, kept as a display (a kernel's `execute_result`,
    a figure's image included) instead of printed after an `Out[n]:` prompt."""

    def _recording(self) -> CellOutputs | None:
        outputs = getattr(self.shell, "cell_outputs", None)
        return outputs if isinstance(outputs, CellOutputs) and outputs.recording else None

    def quiet(self) -> bool:
        """A trailing `;` hides the value, as in Jupyter. IPython reads the cell from its
        history, which is off here (see `make_shell`): read it from the cell's outputs."""
        outputs, shell = self._recording(), self.shell
        if outputs is None or shell is None:
            return super().quiet()
        try:
            return bool(self.semicolon_at_end_of_expression(shell.transform_cell(outputs.source)))
        except Exception:  # tokenize's errors on code that ran anyway: show the value
            return False

    def write_output_prompt(self) -> None:
        if self._recording() is None:
            super().write_output_prompt()

    def write_format_data(self, format_dict, md_dict=None) -> None:
        outputs = self._recording()
        if outputs is None:
            super().write_format_data(format_dict, md_dict)
        elif isinstance(format_dict, dict):
            outputs.display(format_dict)

    def finish_displayhook(self) -> None:
        if self._recording() is None:
            super().finish_displayhook()
        else:
            self._is_active = False


class SandboxShell(InteractiveShell):
    """InteractiveShell on Jupyter's inline matplotlib backend, with no GUI event loop, that
    keeps what cells show (`cell_outputs`) while `showing_outputs` is on."""

    display_pub_class = Type(RecordingPublisher)
    displayhook_class = Type(RecordingDisplayHook)

    def __init__(self, **kwargs) -> None:
        self.cell_outputs = CellOutputs()
        super().__init__(**kwargs)
        use_inline_backend(self)
        showing_outputs(self, False)

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
    interactive mode on, its default figure format (PNG), rc and `bbox_inches="tight"`, and
    the `post_execute` hook that shows, then closes, the figures a cell opened.

    One difference, in the file and not the picture: PNGs are compressed at zlib's level 1
    instead of 6, the same pixels in a file about a third larger, for a third less time per
    figure (a figure costs its drawing twice, for the tight box, then its encoding)."""
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support
    from matplotlib_inline.config import InlineBackend

    activate_matplotlib(INLINE_BACKEND)
    inline = InlineBackend.instance(parent=shell)
    kwargs: dict = {**inline.print_figure_kwargs, "pil_kwargs": PNG_COMPRESSION}
    inline.print_figure_kwargs = kwargs
    configure_inline_support(shell, INLINE_BACKEND)


def showing_outputs(shell: SandboxShell, on: bool) -> None:
    """On while the notebook's cells run: displays are kept with their images. Off for the
    grader's checks: no figure is rendered (no one sees it) and displays print their text."""
    formatters = shell.display_formatter.formatters if shell.display_formatter else {}
    shell.cell_outputs.image_formatters = [formatters[m] for m in images.OUTPUT_IMAGES.values()]
    shell.cell_outputs.start(recording=on)


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
