"""`RestoreTestCells`: before nbgrader's `OverwriteCells`, make a submission's nbgrader cells
exactly the instructor's.

The notebook arrives repaired by `autograders.normalise` (in `TolerantNotebookExporter`): copies
and fake test cells are gone already and every nbgrader metadata has a grade_id, so what runs
is settled; this step makes the metadata nbgrader itself reads match the gradebook.

- A cell claiming nbgrader metadata the instructor's notebook does not have (a fake grade
  cell, a second copy of a test, metadata without a grade_id) loses that metadata: it is a
  student's cell, it earns nothing, and it runs like any scratch cell.
- A known cell gets the instructor's metadata back (grade, solution, locked, points, schema
  version; other keys dropped, OverwriteCells sets the checksum): an answer cell that claims
  to be a grade cell is an answer cell again, and no student-written key can fail nbgrader's
  own metadata check (which would stop the whole `nbgrader autograde` run).
- A test cell that is missing (deleted, or its metadata stripped) is put back from the
  gradebook's copy, after the cell that precedes it in the instructor's notebook.
Each change is logged with the cell it concerns. `OverwriteCells` then restores the source,
type and points of every remaining test cell.
"""

from __future__ import annotations

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor


class RestoreTestCells(NbGraderPreprocessor):
    """Drop unknown nbgrader cells; restore missing test cells from the instructor's copy."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            source = gradebook.find_notebook(info["notebook"], info["assignment"])
            order = [cell.name for cell in source.source_cells]
            points = {cell.name: cell.max_score for cell in source.grade_cells}
            solutions = {cell.name for cell in source.solution_cells}
            tests = {name: score for name, score in points.items() if name not in solutions}
            present = self._drop_unknown(nb, set(order), info)
            self._reset_flags(
                nb,
                points,
                solutions,
                {cell.name: cell.locked for cell in source.source_cells},
                info,
            )
            for name in order:
                if name in tests and name not in present:
                    self._restore(
                        nb,
                        source.source_cells[order.index(name)],
                        tests[name],
                        order,
                        present,
                        info,
                    )
        return nb, resources

    def _drop_unknown(self, nb: NotebookNode, known: set[str], info: dict) -> set[str]:
        present: set[str] = set()
        for index, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if isinstance(grade_id, str) and grade_id in known and grade_id not in present:
                present.add(grade_id)
                continue
            self.log.warning(
                "%s/%s: cell %d carries nbgrader metadata for %r, which the "
                "instructor's notebook does not have (or has once): ignored",
                info["student"],
                info["notebook"],
                index,
                grade_id,
            )
            del cell.metadata["nbgrader"]
        return present

    def _reset_flags(
        self,
        nb: NotebookNode,
        points: dict[str, float],
        solutions: set[str],
        locked: dict[str, bool],
        info: dict,
    ) -> None:
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            if not meta:
                continue
            name = meta["grade_id"]
            wanted: dict[str, bool | float] = {
                "grade": name in points,
                "solution": name in solutions,
                "locked": bool(locked.get(name)),
            }
            if name in points:
                wanted["points"] = points[name]
            changed = sorted(key for key, value in wanted.items() if meta.get(key) != value)
            if changed:
                self.log.warning(
                    "%s/%s: cell %s had its %s changed: restored",
                    info["student"],
                    info["notebook"],
                    name,
                    ", ".join(changed),
                )
            meta.clear()
            meta.update(wanted, grade_id=name, schema_version=3)

    def _restore(
        self,
        nb: NotebookNode,
        source_cell,
        points: float,
        order: list[str],
        present: set[str],
        info: dict,
    ) -> None:
        cell = (
            nbformat.v4.new_code_cell(source_cell.source)
            if source_cell.cell_type == "code"
            else nbformat.v4.new_markdown_cell(source_cell.source)
        )
        cell.metadata["nbgrader"] = {
            "grade": True,
            "solution": False,
            "locked": True,
            "grade_id": source_cell.name,
            "points": points,
            "checksum": source_cell.checksum,
            "schema_version": 3,
        }
        before = [name for name in order[: order.index(source_cell.name)] if name in present]
        position = len(nb.cells)
        if before:
            position = 1 + next(
                i
                for i, c in enumerate(nb.cells)
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == before[-1]
            )
        nb.cells.insert(position, cell)
        present.add(source_cell.name)
        self.log.warning(
            "%s/%s: test cell %s was missing: restored from the instructor's copy",
            info["student"],
            info["notebook"],
            source_cell.name,
        )
