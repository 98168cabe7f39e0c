"""The shared notebook repair (`autograders.normalise`) and the reader both front ends use.

Fast: in-memory notebooks and the release notebooks filled with the reference solutions, no
sandbox. tests/nbgrader/test_notebook_shapes.py grades the same shapes through both front ends.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograders import problems
from autograders.normalise import cell_role, grade_id_of, normalise_notebook
from autograders.submission import NotGradable, cells_to_run, load_notebook
from tests.corpus import shapes
from tests.corpus.build import build_class
from tests.corpus.spec import NOTEBOOKS, QUESTIONS_OF, Submission

HONEST = Submission("honest", ("mistake",))


def notebook(*cells: dict, minor: int = 5) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": minor}


def code(source: str = "", **nbgrader) -> dict:
    metadata = {"nbgrader": {"schema_version": 3, **nbgrader}} if nbgrader else {}
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": []}


def answer(grade_id: str, source: str) -> dict:
    return code(source, grade_id=grade_id, grade=False, solution=True, locked=False)


def grade_cell(grade_id: str, source: str = "assert True\n") -> dict:
    return code(source, grade_id=grade_id, grade=True, solution=False, locked=True, points=1)


def repaired(doc: dict) -> tuple[dict, list[str]]:
    """The repaired notebook, valid for nbformat, and its repairs other than new cell ids."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nbformat's warnings mean a repair was missed
        repairs = normalise_notebook(doc)
    nbformat.validate(nbformat.from_dict(doc))
    return doc, [repair for repair in repairs if "cell id" not in repair]


def run_sources(doc: dict) -> list[str]:
    return [cell["source"] for cell in cells_to_run(doc["cells"]).cells]


def test_missing_metadata_source_and_ids_are_filled() -> None:
    doc, repairs = repaired(notebook({"cell_type": "code"}, {"cell_type": "markdown", "id": 7}))
    assert [c["metadata"] for c in doc["cells"]] == [{}, {}]
    assert [c["source"] for c in doc["cells"]] == ["", ""]
    assert [c["id"] for c in doc["cells"]] == ["cell-0", "cell-1"]
    assert repairs == []


def test_repeated_ids_keep_the_first_and_new_ids_avoid_existing_ones() -> None:
    cells = [code("a"), code("b"), code("c")]
    for cell, cell_id in zip(cells, ["cell-0", "cell-0", "bad id!"], strict=True):
        cell["id"] = cell_id
    doc, _ = repaired(notebook(*cells))
    assert [c["id"] for c in doc["cells"]] == ["cell-0", "cell-1", "cell-2"]


def test_sources_of_any_type_become_text() -> None:
    doc, _ = repaired(notebook(code(["x = 1\n", 5, "y = 2\n"]), code(42), code(None)))
    assert run_sources(doc) == ["x = 1\ny = 2\n", "", ""]


def test_unknown_cell_types_become_raw_and_never_run() -> None:
    doc, repairs = repaired(notebook({"cell_type": "sql", "source": "x = 1"}, code("y = 2")))
    assert doc["cells"][0]["cell_type"] == "raw" and run_sources(doc) == ["y = 2"]
    assert "unknown cell type 'sql'" in repairs[0]


def test_cell_types_of_any_json_type_are_read() -> None:
    odd = [{"cell_type": kind, "source": "x"} for kind in ([1], {"a": 1}, None, 3, "y" * 99)]
    doc, repairs = repaired(notebook(*odd))
    assert {c["cell_type"] for c in doc["cells"]} == {"raw"} and len(repairs) == 5
    assert repairs[-1].endswith(f"{'y' * 40!r}: made raw")


def test_outputs_and_unknown_keys_are_dropped() -> None:
    markdown = {"cell_type": "markdown", "source": "hi", "outputs": [1], "execution_count": 2}
    doc, _ = repaired(notebook(markdown | {"level": 2}, code("x") | {"outputs": "junk"}))
    assert set(doc["cells"][0]) == {"id", "cell_type", "metadata", "source"}
    assert doc["cells"][1]["outputs"] == [] and doc["cells"][1]["execution_count"] is None


def test_entries_that_are_not_cells_and_top_level_extras_are_removed() -> None:
    doc = notebook("text", code("x = 1"), None) | {"worksheets": []}
    doc, repairs = repaired(doc)
    assert run_sources(doc) == ["x = 1"] and "worksheets" not in doc
    assert len(repairs) == 3


@pytest.mark.parametrize("minor", [0, 4])
def test_older_minor_versions_are_read_as_4_5(minor: int) -> None:
    with_ids = code("x = 1") | {"id": "kept"}
    doc, _ = repaired(notebook(with_ids, code("y = 2"), minor=minor))
    assert doc["nbformat_minor"] == 5 and [c["id"] for c in doc["cells"]] == ["kept", "cell-0"]


def test_metadata_nbformat_rejects_is_removed_and_the_rest_kept() -> None:
    cell = code("x = 1")
    cell["metadata"] = {"tags": "not a list", "jupyter": 5, "mine": {"kept": True}}
    doc = notebook(cell, {"cell_type": "markdown", "source": "", "attachments": {"a.png": 5}})
    doc["metadata"] = {"kernelspec": "python3", "course": "kept"}
    doc, _ = repaired(doc)
    assert doc["cells"][0]["metadata"] == {"mine": {"kept": True}}
    assert doc["metadata"] == {"course": "kept"} and "attachments" not in doc["cells"][1]


def test_a_copied_test_cell_never_runs_and_only_its_first_copy_stays() -> None:
    doc, repairs = repaired(
        notebook(
            grade_cell("derivative_at_test", "derivative_at = None"),
            answer("derivative_at", "def derivative_at(f, x0): ..."),
            grade_cell("derivative_at_test", "derivative_at = None"),
        )
    )
    assert run_sources(doc) == ["def derivative_at(f, x0): ..."]
    assert [cell_role(c) for c in doc["cells"]] == ["test", "answer"]
    assert "test cell 'derivative_at_test'" in repairs[0]


def test_fake_test_cells_are_removed_whatever_their_id() -> None:
    fakes = [
        grade_cell("bonus"),
        grade_cell("derivative_at_test_extra"),
        code("x", grade_id="y", grade=True),
    ]
    doc, repairs = repaired(notebook(*fakes, code("kept")))
    assert run_sources(doc) == ["kept"] and len(doc["cells"]) == 1 and len(repairs) == 3


def test_answer_copies_and_unknown_code_cells_run_as_the_students_own() -> None:
    doc, _ = repaired(
        notebook(
            answer("derivative_at", "wrong = 1"),
            answer("derivative_at", "right = 1"),
            code("bonus = 1", grade_id="bonus", grade=True, solution=True, points=9),
        )
    )
    assert run_sources(doc) == ["wrong = 1", "right = 1", "bonus = 1"]
    assert ["nbgrader" in c["metadata"] for c in doc["cells"]] == [True, False, False]
    assert cells_to_run(doc["cells"]).answer_cells == {"derivative_at": 0}


def test_an_answer_is_an_answer_whatever_its_flags_or_cell_type() -> None:
    flagged = answer("derivative_at", "a = 1")
    flagged["metadata"]["nbgrader"].update(grade=True, solution=False, points=5)
    markdown = answer("partial_derivatives", "b = 2") | {"cell_type": "markdown"}
    doc, repairs = repaired(notebook(flagged, markdown))
    assert run_sources(doc) == ["a = 1", "b = 2"]
    assert "(partial_derivatives) was markdown: made code again" in repairs[0]


def test_nbgrader_metadata_without_a_grade_id_means_nothing() -> None:
    cells = [code("a"), code("b"), code("c")]
    cells[0]["metadata"]["nbgrader"] = "yes"
    cells[1]["metadata"]["nbgrader"] = {"grade": True, "solution": False, "points": 3}
    cells[2]["metadata"]["nbgrader"] = {"grade_id": 5, "grade": True}
    doc, repairs = repaired(notebook(*cells))
    assert run_sources(doc) == ["a", "b", "c"] and len(repairs) == 3


def test_repair_is_idempotent_on_a_repaired_notebook() -> None:
    doc, _ = repaired(notebook({"cell_type": "x"}, grade_cell("derivative_at_test"), code(["a"])))
    again = json.loads(json.dumps(doc))
    assert normalise_notebook(again) == [] and again == doc


def write(tmp_path: Path, content: bytes | str) -> Path:
    path = tmp_path / "nb.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (json.dumps(notebook() | {"nbformat": 5}), "unknown notebook format (nbformat 5)"),
        (json.dumps(notebook() | {"nbformat": 3}), "old notebook format"),
        (json.dumps(notebook() | {"nbformat": True}), "old notebook format"),
        ("[" * 100_000 + "]" * 100_000, "invalid JSON"),
        (json.dumps({"cells": {}}), "no cells"),
    ],
)
def test_what_cannot_be_read_is_not_gradable(tmp_path: Path, content: str, reason: str) -> None:
    with pytest.raises(NotGradable, match=reason.replace("(", r"\(").replace(")", r"\)")):
        load_notebook(write(tmp_path, content))


def test_deeply_nested_metadata_is_not_gradable_rather_than_a_crash(tmp_path: Path) -> None:
    doc = notebook(code("x"))
    doc["metadata"]["kernelspec"] = json.loads("[" * 500 + "]" * 500)
    with pytest.raises(NotGradable, match="nested too deeply"):
        load_notebook(write(tmp_path, json.dumps(doc)))


@pytest.fixture(scope="module")
def shaped_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = [Submission(edit.__name__, ("tampered_cells",), edit=edit) for edit in shapes.REPAIRABLE]
    return build_class(tmp_path_factory.mktemp("shapes"), [HONEST, *made])


@pytest.mark.parametrize("edit", shapes.REPAIRABLE, ids=lambda edit: edit.__name__)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_shape_runs_the_honest_cells_and_nothing_that_should_not_run(
    shaped_class: Path, edit, name: str
) -> None:
    """In order, the cells the honest notebook runs run, and no cell that must not run does
    (a wrong copy of an answer does run, before the right one)."""
    honest = load_notebook(shaped_class / "honest" / "derivatives" / f"{name}.ipynb")
    doc = load_notebook(shaped_class / edit.__name__ / "derivatives" / f"{name}.ipynb")
    nbformat.validate(nbformat.from_dict(doc))
    sources = run_sources(doc)
    remaining = iter(sources)
    missing = [s for s in run_sources(honest) if not any(s == got for got in remaining)]
    assert not missing, f"honest cells that no longer run: {missing}"
    assert shapes.SABOTAGE[name] not in sources, "a cell that must never run is run"
    found = cells_to_run(doc["cells"])
    assert set(found.answer_cells) == set(QUESTIONS_OF[name])
    if edit is shapes.answer_copied_wrong_first:  # each wrong copy, then the honest answer
        for question in QUESTIONS_OF[name]:
            wrong = sources.index(shapes.WRONG[question])
            assert found.cells[wrong]["index"] == found.answer_cells[question]
            assert sources[wrong + 1] in run_sources(honest)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
GRADE_IDS = st.sampled_from(["derivative_at", "derivative_at_test", "why_detach", "x", ""]) | JSON
NBGRADER = st.fixed_dictionaries(
    {"grade_id": GRADE_IDS},
    optional={"grade": JSON | st.booleans(), "solution": st.booleans(), "points": JSON},
)
CELLS = st.fixed_dictionaries(
    {},
    optional={
        "cell_type": st.sampled_from(["code", "markdown", "raw"]) | JSON,
        "source": st.text(max_size=5) | st.lists(st.text(max_size=5) | JSON, max_size=3) | JSON,
        "metadata": st.fixed_dictionaries({}, optional={"nbgrader": NBGRADER | JSON, "tags": JSON})
        | JSON,
        "id": st.sampled_from(["a", "a", "bad id"]) | JSON,
        "outputs": JSON,
        "attachments": JSON,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(CELLS | JSON, max_size=6), metadata=JSON, minor=JSON)
def test_any_json_cells_are_repaired_into_a_valid_notebook_once_and_for_all(
    cells: list, metadata: object, minor: object
) -> None:
    doc = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": minor}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normalise_notebook(doc)
    nbformat.validate(nbformat.from_dict(doc))
    again = json.loads(json.dumps(doc))
    assert normalise_notebook(again) == [] and again == doc
    tests = [
        grade_id_of(c) for c in doc["cells"] if c["cell_type"] == "code" and cell_role(c) == "test"
    ]
    assert len(tests) == len(set(tests)) and set(tests) <= set(problems.CHECKS)
    cells_to_run(doc["cells"])
