"""Tampered and unreadable notebooks, and extra files in the submission folder.

Tests and points come from the instructor's copy (the registry), so editing, deleting or
adding test cells changes nothing; an unreadable notebook costs its own questions only. The
odd notebook shapes of tests/corpus/shapes.py are graded as the honest work they hold.
"""

from __future__ import annotations

import json

from tests.corpus import shapes
from tests.corpus.answers import cell
from tests.corpus.spec import MISSING, STUB, Submission, zero, zero_notebook


def _nbgrader(c: dict) -> dict:
    return c.get("metadata", {}).get("nbgrader", {})


def _is_test(c: dict) -> bool:
    meta = _nbgrader(c)
    return bool(meta.get("grade")) and not meta.get("solution") and c["cell_type"] == "code"


def _is_answer(c: dict) -> bool:
    return bool(_nbgrader(c).get("solution")) and c["cell_type"] == "code"


def _code(source: str, **nbgrader) -> dict:
    metadata = {"nbgrader": nbgrader} if nbgrader else {}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": source,
    }


def delete_tests(notebook: str, doc: dict) -> None:
    doc["cells"] = [c for c in doc["cells"] if not _is_test(c)]


def tests_to_pass(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if _is_test(c):
            c["source"] = "pass\n"


def tests_to_markdown(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        if _is_test(c):
            c["cell_type"] = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)


def raise_points(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        meta = _nbgrader(c)
        if meta.get("grade") or meta.get("solution"):
            meta.update(points=100, grade=True)
    doc["metadata"].setdefault("nbgrader", {})["total_points"] = 1000


def fake_grade_cells(notebook: str, doc: dict) -> None:
    first_test = next(c for c in doc["cells"] if _is_test(c))
    doc["cells"] += [
        _code(
            "print('extra credit: passed')\n",
            grade=True,
            solution=False,
            locked=True,
            points=50,
            grade_id="extra_credit_test",
            schema_version=3,
        ),
        _code(
            "assert True\n",
            grade=True,
            solution=False,
            locked=True,
            points=50,
            grade_id=_nbgrader(first_test)["grade_id"],
            schema_version=3,
        ),
        _code(
            "bonus = 42\n",
            grade=True,
            solution=True,
            locked=False,
            points=10,
            grade_id="bonus_question",
            schema_version=3,
        ),
    ]


def duplicate_answer_with_wrong_copy(notebook: str, doc: dict) -> None:
    if notebook != "derivatives":
        return
    index = next(
        i for i, c in enumerate(doc["cells"]) if _nbgrader(c).get("grade_id") == "derivative_at"
    )
    copy = json.loads(json.dumps(doc["cells"][index]))
    copy["source"] = "def derivative_at(f, x0):\n    return torch.tensor(0.0)\n"
    doc["cells"].insert(index + 1, copy)


def reorder_cells(notebook: str, doc: dict) -> None:
    """Answer cells last, in reverse order; test cells first; imports stay on top."""
    cells = doc["cells"]
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    head, rest = cells[: first_code + 1], cells[first_code + 1 :]
    tests = [c for c in rest if _is_test(c)]
    answers = [c for c in rest if _is_answer(c)]
    others = [c for c in rest if not _is_test(c) and not _is_answer(c)]
    doc["cells"] = head + tests + others + answers[::-1]


def add_scratch_cells(notebook: str, doc: dict) -> None:
    scratch = [
        _code("# scratch: trying things out\nx = 3\nf = None\nu = v = 'not tensors'\n"),
        _code("import numpy as np\ntorch.manual_seed(0)\nprint(np.pi)\n"),
        _code("undefined_name + 1  # an error in a scratch cell\n"),
        {"cell_type": "raw", "metadata": {}, "source": "raw cell"},
        {"cell_type": "markdown", "metadata": {}, "source": "my notes"},
    ]
    cells = doc["cells"]
    doc["cells"] = scratch[:1] + cells[:2] + scratch[1:] + cells[2:]  # cells[1]: the imports
    if notebook == "derivatives":
        doc["cells"].append(
            _code("derivative_at(torch.sin, 0.0)\nplot_derivative(torch.sin, 0, 1, 5)\n")
        )
    if notebook == "partial_derivatives":
        doc["cells"].append(_code("partial_derivatives(lambda u, v: u * v, 1.0, 2.0)\n"))


def strip_nbgrader_metadata(notebook: str, doc: dict) -> None:
    for c in doc["cells"]:
        c.get("metadata", {}).pop("nbgrader", None)


def enormous(filled: bytes) -> bytes:
    doc = json.loads(filled)
    doc["metadata"]["padding"] = "x" * (21 * 1024 * 1024)
    return json.dumps(doc).encode()


def old_nbformat(filled: bytes) -> bytes:
    import nbformat

    notebook = nbformat.reads(filled.decode(), as_version=4)
    return nbformat.writes(nbformat.v3.convert.downgrade(notebook), version=3).encode()


EXTRA_FILE = cell("""
    import os
    import pathlib

    pathlib.Path(os.path.dirname(os.path.abspath(__file__)), "EXECUTED-" + __name__).touch()
    raise SystemExit("an extra file of the submission was run")
""")
PTH_FILE = (
    "import os, pathlib; pathlib.Path(os.path.dirname(os.path.abspath(__file__ if "
    '"__file__" in dir() else ".")), "EXECUTED-pth").touch()\n'
)
EXTRA_FILES = {
    f"{where}{name}": EXTRA_FILE
    for where in ("", "derivatives/")
    for name in (
        "conftest.py",
        "sitecustomize.py",
        "usercustomize.py",
        "autograders.py",
        "torch.py",
        "nbgrader.py",
        "ipykernel.py",
        "__main__.py",
    )
} | {
    "derivatives/corpus.pth": PTH_FILE,
    "corpus.pth": PTH_FILE,
    "derivatives/autograders/__init__.py": EXTRA_FILE,
    "derivatives/nbgrader_config.py": "c = get_config()\nc.ClearSolutions.code_stub = {}\n",
    "derivatives/gradebook.db": "not a database",
}

TAMPERED = [
    Submission("test_cells_deleted", ("tampered_cells",), edit=delete_tests),
    Submission(
        "test_cells_edited_to_pass",
        ("tampered_cells",),
        edit=tests_to_pass,
        answers={
            "derivative_at": cell("""
            def derivative_at(f, x0):
                return torch.tensor(float(x0))
        """)
        },
        expected=zero("derivative_at"),
    ),
    Submission(
        "test_cells_turned_markdown",
        ("tampered_cells",),
        edit=tests_to_markdown,
        answers={"partial_derivatives": STUB},
        expected=zero("partial_derivatives"),
    ),
    Submission("points_metadata_raised", ("tampered_cells",), edit=raise_points),
    Submission("fake_grade_cells", ("tampered_cells",), edit=fake_grade_cells),
    Submission(
        "duplicated_answer_cell_wrong_copy_last",
        ("tampered_cells",),
        edit=duplicate_answer_with_wrong_copy,
        expected=zero("derivative_at"),
    ),
    Submission("cells_reordered", ("tampered_cells",), edit=reorder_cells),
    Submission("scratch_cells_added", ("tampered_cells",), edit=add_scratch_cells),
    Submission(
        # without metadata the grader cannot tell test cells from the student's own cells:
        # the release's visible tests run as scratch cells, and pass on honest answers
        "nbgrader_metadata_stripped",
        ("tampered_cells",),
        edit=strip_nbgrader_metadata,
    ),
    Submission(
        "invalid_json",
        ("unreadable",),
        raw={"derivatives": b'{"cells": [{"cell_type": "code", "source": "def derivative_at('},
        expected=zero_notebook("derivatives"),
        status="invalid JSON",
    ),
    Submission(
        "empty_file",
        ("unreadable",),
        raw={"partial_derivatives": b""},
        expected=zero_notebook("partial_derivatives"),
        status="partial_derivatives",
    ),
    Submission(
        "binary_garbage",
        ("unreadable",),
        raw={"custom_backward": bytes(range(256)) * 64},
        expected=zero_notebook("custom_backward"),
        status="custom_backward",
    ),
    Submission(
        "enormous_file",
        ("unreadable",),
        raw={"custom_backward": enormous},
        expected=zero_notebook("custom_backward"),
        status="too large",
    ),
    Submission(
        "missing_notebook",
        ("unreadable",),
        raw={"derivatives": MISSING},
        expected=zero_notebook("derivatives"),
        status="missing",
    ),
    Submission(
        "old_nbformat_3",
        ("unreadable",),
        raw={"partial_derivatives": old_nbformat},
        expected=zero_notebook("partial_derivatives"),
        status="partial_derivatives",
    ),
    Submission("extra_files_in_submission", ("extra_files",), extra_files=EXTRA_FILES),
]

# Odd notebook shapes (JSON that nbformat rejects, repeated ids, copied or fake test cells,
# ...): repaired in one way by both front ends, so graded as the honest submissions they are.
SHAPES = [
    Submission(f"shape_{edit.__name__}", ("tampered_cells",), edit=edit)
    for edit in shapes.REPAIRABLE
] + [
    Submission(
        "shape_nbformat_5",
        ("unreadable",),
        raw={"partial_derivatives": shapes.nbformat_5},
        expected=zero_notebook("partial_derivatives"),
        status="unknown notebook format",
    ),
]
TAMPERED += SHAPES
