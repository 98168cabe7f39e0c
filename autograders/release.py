"""The release the students started from, and how much of a submission is still the release's.

A submitted notebook usually begins with the instructor's worked examples, unchanged. The
longest run of its leading cells (as `submission.cells_to_run` gives them) equal byte for byte,
in order, to the release notebook's is its prefix: the sandbox runs those cells once per slot
(in a prefix holder) instead of once per student (`sandbox.host.session.run_notebook`). The
release's cells travel as plain data (a Dask worker gets them with the settings); the release
folder, which every working folder starts as a copy of (as a student's copy of it in
JupyterLab), is named by path.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autograders.layout import ASSIGNMENT, NOTEBOOKS  # the registry's names, without torch
from autograders.sandbox.host.pool import Prefix
from autograders.sandbox.messages import Cell


@dataclass(frozen=True)
class Release:
    """The release folder (absolute) and, read from it once, per notebook the sources of the
    cells that run. Only the folder is compared and shown: the settings that hold a release
    keep a short repr."""

    folder: str
    hold: bool = True  # False: every cell runs in every child (the folder is still copied)

    @functools.cached_property
    def sources(self) -> Mapping[str, tuple[str, ...]]:
        """Notebook name -> the sources of its `cells_to_run`; a missing or unreadable
        notebook has none (and no prefix). Read as data, as a submission is. Kept once read,
        also when pickled (a Dask worker gets them as data)."""
        from autograders.submission import NotGradable, read_notebook  # imports torch

        sources = {}
        for notebook in NOTEBOOKS:
            try:
                cells = read_notebook(Path(self.folder) / f"{notebook}.ipynb").cells
            except NotGradable:
                continue
            sources[notebook] = tuple(cell["source"] for cell in cells)
        return sources

    def read(self) -> Mapping[str, tuple[str, ...]]:
        """The sources, read now if not yet (they travel with the release once read)."""
        return self.sources

    def prefix_of(self, notebook: str, cells: list[Cell]) -> Prefix | None:
        """The leading cells of `cells` that are the release's own; None when the release
        has no such notebook."""
        release = self.sources.get(notebook)
        if release is None:
            return None
        length = 0
        for cell, source in zip(cells, release, strict=False):
            if cell["source"] != source or not self.hold:
                break
            length += 1
        prefix = tuple(Cell(index=n, source=source) for n, source in enumerate(release[:length]))
        key = hashlib.sha256(json.dumps([self.folder, notebook, release[:length]]).encode())
        # A Dask worker without the folder (not on a shared file system) still gets the
        # prefix, which came as data; its working folders then start empty.
        folder = self.folder if os.path.isdir(self.folder) else ""
        return Prefix(key.hexdigest(), prefix, folder)


def default_release_folder(cwd: Path | None = None) -> Path | None:
    """`release/<assignment>` under the working directory, if it exists (nbgrader's layout)."""
    folder = (cwd or Path.cwd()) / "release" / ASSIGNMENT
    return folder if folder.is_dir() else None


def course_release(config: object, assignment: str) -> Release | None:
    """The release folder of `assignment` in the nbgrader course that `config` (a traitlets
    config: `nbgrader_config.py`'s) describes, if it exists."""
    from nbgrader.coursedir import CourseDirectory  # nbgrader's front end only

    course = CourseDirectory(config=config)
    folder = Path(course.format_path(course.release_directory, ".", assignment))
    return release_at(str(folder.resolve())) if folder.is_dir() else None


@functools.cache
def release_at(folder: str) -> Release:
    """One `Release` per folder in a process, its notebooks read once."""
    return Release(folder)
