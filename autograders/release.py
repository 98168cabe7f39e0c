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

    def prefix_of(self, notebook: str, cells: list[Cell]) -> Prefix | None:
        """The leading cells of `cells` that are the release's own; None when the release
        has no such notebook."""
        release = self.sources.get(notebook)
        if release is None:
            return None
        length = 0
        for cell, source in zip(cells, release, strict=False):
            if cell["source"] != source:
                break
            length += 1
        prefix = tuple(Cell(index=n, source=source) for n, source in enumerate(release[:length]))
        key = hashlib.sha256(json.dumps([self.folder, notebook, release[:length]]).encode())
        return Prefix(key.hexdigest(), prefix, self.folder)


def default_release_folder(cwd: Path | None = None) -> Path | None:
    """`release/<assignment>` under the working directory, if it exists (nbgrader's layout)."""
    folder = (cwd or Path.cwd()) / "release" / ASSIGNMENT
    return folder if folder.is_dir() else None
