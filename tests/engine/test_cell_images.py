"""A cell's outputs on their way from the sandbox child to a page: the grader's checks of the
report (`messages.cell_outputs`), the nbformat outputs made of it (`cell_outputs`) and the inert
step's second look (`MakeStudentContentInert`), on garbage a hostile child could send.
Fast: plain data only (tests/sandbox/test_cell_displays.py runs real cells)."""

from __future__ import annotations

import base64

import nbformat
import pytest

from autograders.cell_outputs import notebook_outputs
from autograders.nbgrader_plugin.inert_cells import REMOVED, MakeStudentContentInert
from autograders.sandbox import images, messages

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(40))).decode()
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(40)).decode()
GIF = base64.b64encode(b"GIF89a" + bytes(40)).decode()
TOO_BIG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(images.MAX_IMAGE_BYTES)).decode()


def report(outputs: object, images_left: int = images.MAX_IMAGES_PER_CELL) -> list:
    message = {"event": "cell", "index": 3, "ok": True, "error": None, "outputs": outputs}
    checked = messages.cell_report(message, 3, images_left)
    assert checked is not None
    return checked["outputs"]


def shown(outputs: list) -> list[str]:
    """Each output as a word: what a page would show."""
    words = []
    for output in outputs:
        if output["type"] == "stream":
            words.append(f"{output['name']}:{output['text']}")
        else:
            image = next((key for key in images.OUTPUT_IMAGES if key in output), None)
            words.append(image or output["text"])
    return words


@pytest.mark.parametrize("image", [PNG, JPEG])
def test_a_raster_image_is_kept(image: str) -> None:
    key = "png" if image == PNG else "jpeg"
    assert images.image_problem(images.OUTPUT_IMAGES[key], image) is None
    assert report([{"type": "display", "text": "<Figure>", key: image}]) == [
        {"type": "display", "text": "<Figure>", key: image}
    ]


@pytest.mark.parametrize(
    ("image", "why"),
    [
        ("not base64!", "not valid base64"),
        (PNG[:-2] + "\n" + PNG[-2:], "not valid base64"),  # whitespace: not what IPython sends
        ("iVBOR\u00e9==", "not valid base64"),
        (GIF, "not a image/png image"),
        (JPEG, "not a image/png image"),
        (TOO_BIG, "larger than 1000 kB"),
        (b"\x89PNG", "not base64 text"),
        (["iVBOR"], "not base64 text"),
        ({"nested": [PNG]}, "not base64 text"),
        (None, "not base64 text"),
    ],
)
def test_a_bad_image_becomes_a_note(image: object, why: str) -> None:
    (note,) = report([{"type": "display", "text": "<Figure>", "png": image}])
    assert note["type"] == "display" and "png" not in note
    assert note["text"].startswith("[an output was not kept: an image (") and why in note["text"]


def test_rich_types_are_never_carried_only_their_text() -> None:
    outputs = report(
        [
            {
                "type": "display",
                "text": "<IPython.core.display.HTML object>",
                "text/html": "<script>alert(1)</script>",
                "svg": "<svg onload=alert(1)>",
                "image/svg+xml": "<svg onload=alert(1)>",
                "application/javascript": "alert(1)",
            }
        ]
    )
    assert outputs == [{"type": "display", "text": "<IPython.core.display.HTML object>"}]


def test_two_images_in_one_display_are_not_kept() -> None:
    (note,) = report([{"type": "display", "text": "x", "png": PNG, "jpeg": JPEG}])
    assert "png" not in note and "jpeg" not in note and "not kept" in note["text"]


def test_images_past_the_cell_and_notebook_caps_become_notes() -> None:
    many = [{"type": "display", "text": "fig", "png": PNG}] * (images.MAX_IMAGES_PER_CELL + 3)
    outputs = report(many)
    assert messages.images_in(outputs) == images.MAX_IMAGES_PER_CELL
    assert all("too many images" in o["text"] for o in outputs[images.MAX_IMAGES_PER_CELL :])
    assert messages.images_in(report(many, images_left=2)) == 2
    assert messages.images_in(report(many, images_left=0)) == 0


@pytest.mark.parametrize(
    "outputs",
    [
        "stdout",
        {"type": "stream"},
        None,
        [None, 1, "x", [], {}, {"type": "stream", "name": "stdin", "text": "x"}],
        [{"type": "stream", "name": "stdout", "text": ["a", "b"]}],
        [{"type": "display", "text": {"text": "x"}, "png": PNG}],
        [{"type": "error", "ename": "X", "evalue": "y", "traceback": []}],
        [[[[[[[[[[{"type": "display", "text": "deep"}]]]]]]]]]],
    ],
)
def test_garbage_outputs_become_notes_not_errors(outputs: object) -> None:
    kept = report(outputs)
    assert kept and all(o["type"] == "display" and "not kept" in o["text"] for o in kept)
    assert valid_notebook_outputs(kept)


def test_streams_are_capped_per_stream_across_outputs_and_outputs_in_number() -> None:
    half = "x" * (messages.CELL_OUTPUT_CAP // 2 + 1)
    chunks = [{"type": "stream", "name": name, "text": half} for name in ["stdout", "stderr"] * 3]
    kept = report(chunks)
    for name in ("stdout", "stderr"):
        assert (
            sum(len(o["text"]) for o in kept if o.get("name") == name) == messages.CELL_OUTPUT_CAP
        )
    lots = report([{"type": "display", "text": "d"}] * (messages.MAX_OUTPUTS_PER_CELL + 50))
    assert len(lots) == messages.MAX_OUTPUTS_PER_CELL + 1
    assert lots[-1]["text"] == "[an output was not kept: 50 more outputs]"


def test_a_report_whose_verdict_fields_are_wrong_is_still_refused() -> None:
    """The outputs are forgiving; the fields the grader acts on are not."""
    for wrong in ({"ok": 1}, {"index": 4}, {"error": "boom"}, {"event": "check"}):
        message = {"event": "cell", "index": 3, "ok": True, "error": None, "outputs": []}
        assert messages.cell_report(message | wrong, 3) is None


def valid_notebook_outputs(outputs: list) -> bool:
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(o) for o in notebook_outputs({"outputs": outputs})]
    nbformat.validate(nbformat.v4.new_notebook(cells=[cell]))
    return True


def test_notebook_outputs_keep_the_order_of_prints_and_figures() -> None:
    outputs = report(
        [
            {"type": "stream", "name": "stdout", "text": "before\n"},
            {"type": "display", "text": "<Figure size 640x480 with 1 Axes>", "png": PNG},
            {"type": "stream", "name": "stderr", "text": "warning\n"},
            {"type": "display", "text": "<Figure size 640x480 with 1 Axes>", "jpeg": JPEG},
            {"type": "stream", "name": "stdout", "text": "after\n"},
        ]
    )
    made = notebook_outputs({"ok": True, "error": None, "outputs": outputs})
    assert [o["output_type"] for o in made] == ["stream", "display_data"] * 2 + ["stream"]
    assert made[1]["data"] == {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": PNG}
    assert made[3]["data"]["image/jpeg"] == JPEG
    assert valid_notebook_outputs(outputs)


def test_an_error_not_printed_is_added_after_the_outputs() -> None:
    error = {"type": "ValueError", "message": "nope"}
    made = notebook_outputs({"ok": False, "error": error, "outputs": []})
    assert made == [
        {
            "output_type": "error",
            "ename": "ValueError",
            "evalue": "nope",
            "traceback": ["ValueError: nope"],
        }
    ]
    printed = [{"type": "stream", "name": "stdout", "text": "ValueError: nope\n"}]
    assert len(notebook_outputs({"ok": False, "error": error, "outputs": printed})) == 1


def inert(data: dict) -> dict:
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb, _ = MakeStudentContentInert().preprocess(nb, {})
    return dict(nb.cells[0].outputs[0].data)


def test_the_inert_step_keeps_valid_images_and_text_only() -> None:
    assert inert({"text/plain": "fig", "image/png": PNG}) == {"text/plain": "fig", "image/png": PNG}
    assert inert({"image/jpeg": JPEG + "\n"}) == {"image/jpeg": JPEG + "\n"}  # as JupyterLab saves
    for html in ({"text/html": "<b>x</b>"}, {"text/markdown": "*x*"}, {"text/latex": "$x$"}):
        assert inert({"text/plain": "t", **html}) == {"text/plain": "t"}
    svg = {"image/svg+xml": "<svg onload=alert(1)>", "application/javascript": "alert(1)"}
    assert inert(svg) == {"text/plain": REMOVED}


@pytest.mark.parametrize("image", ["not base64!", GIF, TOO_BIG, "PHN2Zz4="])
def test_the_inert_step_drops_images_that_are_not_what_they_claim(image: str) -> None:
    assert inert({"text/plain": "fig", "image/png": image}) == {"text/plain": "fig"}
    assert inert({"image/gif": GIF}) == {"text/plain": REMOVED}
