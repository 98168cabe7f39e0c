"""Odd notebook shapes: JSON that nbformat rejects or that nbgrader reads its own way.

Each edit bends every notebook of an otherwise honest submission into one shape. Both front
ends repair the shape in the same way (`autograders.normalise`), so every shape either keeps
full marks or is "not gradable" for that notebook in both. Where a shape could make a front
end run a cell it should not (a copied or fake test cell, an unknown cell type), that cell
holds `SABOTAGE`, which would cost every question of the notebook if it ran.
"""

from __future__ import annotations

import json

# Rebinds every answer of a notebook: a cell holding this must never run.
SABOTAGE = {
    "derivatives": "derivative_at = derivative_on_grid = plot_derivative = None\n",
    "partial_derivatives": "partial_derivatives = partials_on_grid = None\n",
    "custom_backward": "Square = LinearFunction = None\nis_leaf = has_grad = {}\n",
}
# A wrong answer to one question, by its grade_id.
WRONG = {
    "derivative_at": "derivative_at = None\n",
    "derivative_on_grid": "derivative_on_grid = None\n",
    "plot_derivative": "plot_derivative = None\n",
    "partial_derivatives": "partial_derivatives = None\n",
    "partials_on_grid": "partials_on_grid = None\n",
    "square_function": "Square = None\n",
    "linear_function": "LinearFunction = None\n",
    "leaf_answers": "is_leaf = has_grad = {}\n",
}


def _nbgrader(c: dict) -> dict:
    meta = c.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _is_test(c: dict) -> bool:
    meta = _nbgrader(c)
    return bool(meta.get("grade")) and not meta.get("solution") and c["cell_type"] == "code"


def _is_answer(c: dict) -> bool:
    return bool(_nbgrader(c).get("solution")) and c["cell_type"] == "code"


def _copy(c: dict) -> dict:
    return json.loads(json.dumps(c))


def _plain(source: str, cell_type: str = "code", **extra) -> dict:
    c = {"cell_type": cell_type, "metadata": {}, "source": source, **extra}
    if cell_type == "code":
        c.update(outputs=[], execution_count=None)
    return c


def cells_without_metadata(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if not _nbgrader(c):
            del c["metadata"]


def cells_without_source(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if c["cell_type"] == "markdown" and not _nbgrader(c):
            del c["source"]
    doc["cells"].insert(2, {"cell_type": "code", "metadata": {}, "outputs": []})


def outputs_on_markdown_cells(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if c["cell_type"] == "markdown":
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
            c["execution_count"] = 3


def unknown_cell_types(notebook: str, doc: dict) -> None:
    doc["cells"] += [
        _plain(SABOTAGE[notebook], "sql", outputs=[]),
        {"cell_type": "heading", "level": 2, "metadata": {}, "source": SABOTAGE[notebook]},
    ]


def test_cells_copied_above_originals(notebook: str, doc: dict) -> None:
    """A copy of each test cell above it, both holding SABOTAGE: no copy of a test runs."""
    cells = []
    for c in doc["cells"]:
        if _is_test(c):
            c["source"] = SABOTAGE[notebook]
            cells.append(_copy(c) | {"id": c["id"] + "-copy"})
        cells.append(c)
    doc["cells"] = cells


def fake_test_cell_with_sabotage(notebook: str, doc: dict) -> None:
    fake = _plain(SABOTAGE[notebook])
    fake["metadata"]["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "points": 10,
        "grade_id": f"{notebook}_bonus",
        "schema_version": 3,
    }
    doc["cells"].append(fake)


def cell_ids_missing(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        c.pop("id", None)


def cell_ids_repeated(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        c["id"] = "same-id"


def nbformat_4_0_with_ids(notebook: str, doc: dict) -> None:
    doc["nbformat_minor"] = 0


def nbformat_4_4_without_ids(notebook: str, doc: dict) -> None:
    doc["nbformat_minor"] = 4
    cell_ids_missing(notebook, doc)


def answers_split_across_two_cells(notebook: str, doc: dict) -> None:
    """Each answer cell holds an import; the answer itself is in a plain cell after it."""
    cells = []
    for c in doc["cells"]:
        cells.append(c)
        if _is_answer(c):
            cells.append(_plain(c["source"]))
            c["source"] = "import torch  # my answer is in the next cell\n"
    doc["cells"] = cells


def answer_copied_wrong_first(notebook: str, doc: dict) -> None:
    """Each answer cell's grade_id on two cells: a wrong copy above, the right one after."""
    cells = []
    for c in doc["cells"]:
        if _is_answer(c):
            wrong = WRONG[_nbgrader(c)["grade_id"]]
            cells.append(_copy(c) | {"id": c["id"] + "-copy", "source": wrong})
        cells.append(c)
    doc["cells"] = cells


def answer_cells_turned_markdown(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if _is_answer(c):
            c["cell_type"] = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)


def answer_cells_flagged_as_tests(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if _is_answer(c):
            _nbgrader(c).update(grade=True, solution=False, locked=True, points=5)


def nbgrader_metadata_malformed(notebook: str, doc: dict) -> None:
    """Metadata nbgrader's own checks reject (one of them stops a whole stock run)."""
    first_code = next(c for c in doc["cells"] if c["cell_type"] == "code")
    first_code["metadata"]["nbgrader"] = "yes"
    first_markdown = next(c for c in doc["cells"] if c["cell_type"] == "markdown")
    first_markdown["metadata"]["nbgrader"] = {"grade": True, "solution": False, "points": 3}
    for c in doc["cells"]:
        if _is_answer(c):
            _nbgrader(c).update(schema_version=1, cell_type="bogus", hack=1, points="many")
        elif _is_test(c):
            _nbgrader(c).update(schema_version=99, checksum=5)


def entries_that_are_not_cells(notebook: str, doc: dict) -> None:
    doc["cells"][1:1] = ["a string", 42, None, ["a", "list"]]


def metadata_nbformat_rejects(notebook: str, doc: dict) -> None:
    doc["metadata"].update(kernelspec="python3", language_info=5, authors="me")
    doc["extra"] = {"top-level": "keys"}
    for c in doc["cells"]:
        c["metadata"].update(tags="not a list", jupyter=5, collapsed="yes")
        c["unknown_key"] = 1
        if c["cell_type"] == "markdown":
            c["attachments"] = {"image.png": 5}


def sources_of_odd_types(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if c["cell_type"] == "markdown":
            c["source"] = 42
        elif not _nbgrader(c):
            text = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            c["source"] = [*text.splitlines(keepends=True), 7, None]


def nbformat_5(filled: bytes) -> bytes:
    doc = json.loads(filled)
    doc["nbformat"] = 5
    return json.dumps(doc).encode()


# Shapes that every front end must grade as the honest submission they are.
REPAIRABLE = (
    cells_without_metadata,
    cells_without_source,
    outputs_on_markdown_cells,
    unknown_cell_types,
    test_cells_copied_above_originals,
    fake_test_cell_with_sabotage,
    cell_ids_missing,
    cell_ids_repeated,
    nbformat_4_0_with_ids,
    nbformat_4_4_without_ids,
    answers_split_across_two_cells,
    answer_copied_wrong_first,
    answer_cells_turned_markdown,
    answer_cells_flagged_as_tests,
    nbgrader_metadata_malformed,
    entries_that_are_not_cells,
    metadata_nbformat_rejects,
    sources_of_odd_types,
)
