"""The messages between the grader and the sandbox, typed once for both sides.

Grader -> warm process (control socket): `Config` once, then `SpawnRequest`s; it answers
`Ready` once, then `Started` (with the child's socket) or `SpawnFailed` per request. A
`HolderRequest` makes a prefix holder instead (`HolderStarted`, with the holder's socket), which
takes a `CellsRequest` (answered as a child answers it), a `HoldRequest` (`Holding`), then
`SpawnRequest`s as the warm process does.
Grader -> child: `CellsRequest`, `QuestionRequest`, `ExitRequest`.
Child -> grader: `Confined` (sent before any student code runs), then `CellReport` per cell
and `CellsDone`; per question a `CheckAnswer` per check, then `QuestionDone`.

Everything the child sends after `Confined` may have been written by student code, so the
grader reads it only through the validators below: a message of the right shape or None.
Only the standard library is imported (both sides load this module).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from autograders.sandbox import images


class Cell(TypedDict):
    index: int
    source: str


class Check(TypedDict):
    test_id: str
    probes: list[dict]  # operations of `probes`, plain data


class CellsRequest(TypedDict):
    op: Literal["cells"]
    cells: list[Cell]
    skip: list[int]


class QuestionRequest(TypedDict):
    op: Literal["question"]
    checks: list[Check]


class ExitRequest(TypedDict):
    op: Literal["exit"]


class ErrorReport(TypedDict):
    type: str
    message: str


class Confined(TypedDict):
    event: Literal["confined"]
    warnings: list[str]


class StreamOutput(TypedDict):
    type: Literal["stream"]
    name: Literal["stdout", "stderr"]
    text: str


class DisplayOutput(TypedDict):
    """A display (a figure, `display(...)`, the cell's last value): its text/plain, and at
    most one raster image as base64 (`images.OUTPUT_IMAGES`: key -> MIME type)."""

    type: Literal["display"]
    text: str
    png: NotRequired[str]
    jpeg: NotRequired[str]


CellOutput = StreamOutput | DisplayOutput


class CellReport(TypedDict):
    event: Literal["cell"]
    index: int
    ok: bool
    error: ErrorReport | None
    outputs: list[CellOutput]  # what the cell showed, in order, within the caps below


class CellsDone(TypedDict):
    event: Literal["cells_done"]


class CheckAnswer(TypedDict):
    event: Literal["check"]
    test_id: str
    answers: list[dict]  # one per probe, read by the problem's judge
    output: str


class QuestionDone(TypedDict):
    event: Literal["question_done"]


class Config(TypedDict):
    ipython_dir: str
    read_only: list[str]
    limits: dict  # the fields of `limits.Limits`
    cgroups: list[list[str]]  # per slot, the cgroup.procs files its children are born in


class SpawnRequest(TypedDict):
    op: Literal["spawn"]
    workdir: str
    # A folder the child's working folder starts as a copy of (the release's); a holder's
    # children start from the holder's own folder instead (see `child.spawner.Origin`).
    start_from: NotRequired[str]


class HolderRequest(TypedDict):
    """To a slot's server: fork a prefix holder (see `child.holder`)."""

    op: Literal["holder"]
    workdir: str  # the holder's working folder, made by the holder
    release: str  # the release folder copied into it ("" for none)


class HolderStarted(TypedDict):
    event: Literal["holder"]
    pid: int


class HoldRequest(TypedDict):
    """To a holder whose prefix cells have run: check that it may fork students' children."""

    op: Literal["hold"]


class Holding(TypedDict):
    event: Literal["holding"]
    usable: bool
    why: str  # why not, when not usable


class Ready(TypedDict):
    event: Literal["ready"]
    network: str  # how the children are kept off the network (see namespaces)
    pid: int


class Started(TypedDict):
    event: Literal["started"]
    pid: int
    pid_namespace: bool


class SpawnFailed(TypedDict):
    event: Literal["error"]
    reason: str


CELL_OUTPUT_CAP = 4_000  # characters of each stream of a cell's output the grader keeps
DISPLAY_TEXT_CAP = 2_000  # characters of a display's text/plain the grader keeps
MAX_OUTPUTS_PER_CELL = 200  # outputs past this many are one note
CELLS_DONE: CellsDone = {"event": "cells_done"}
QUESTION_DONE: QuestionDone = {"event": "question_done"}


def cell_report(
    message: dict, index: int | None, images_left: int = images.MAX_IMAGES_PER_CELL
) -> CellReport | None:
    """`message` if it is a well-formed report of cell `index`, else None. Its outputs
    (absent: none) are checked one by one (`cell_outputs`), keeping at most `images_left`
    images (what is left of the notebook's allowance)."""
    error, ok = message.get("error"), message.get("ok")
    if not (
        message.get("event") == "cell"
        and index is not None
        and message.get("index") == index
        and isinstance(ok, bool)  # as strict as `type(ok) is bool`: no subclasses
        and (error is None or _is_error_report(error))
    ):
        return None
    outputs = cell_outputs(message.get("outputs", []), images_left)
    return CellReport(event="cell", index=index, ok=ok, error=error, outputs=outputs)


def cell_outputs(outputs: object, images_left: int) -> list[CellOutput]:
    """The outputs of a cell's report, each rebuilt from checked fields: streams cut to
    `CELL_OUTPUT_CAP` characters per stream, display text to `DISPLAY_TEXT_CAP`, images
    kept only when `images.image_problem` finds none and within the caps. Anything else
    (a wrong shape, a bad or extra image) becomes a display saying an output was not kept,
    so a forged report changes what the page shows, never how the grader runs."""
    if not isinstance(outputs, list):
        return [not_kept("the cell's outputs were not a list")]
    images_left = min(images_left, images.MAX_IMAGES_PER_CELL)
    kept: list[CellOutput] = []
    printed = {"stdout": 0, "stderr": 0}
    for output in outputs[:MAX_OUTPUTS_PER_CELL]:
        kind = output.get("type") if isinstance(output, dict) else None
        name = output.get("name") if isinstance(output, dict) else None
        text = output.get("text") if isinstance(output, dict) else None
        if kind == "stream" and (name == "stdout" or name == "stderr") and isinstance(text, str):
            text = text[: CELL_OUTPUT_CAP - printed[name]]
            printed[name] += len(text)
            if text:
                kept.append(StreamOutput(type="stream", name=name, text=text))
        elif kind == "display" and isinstance(output, dict) and isinstance(text, str):
            display = _display(output, text, images_left)
            images_left -= images_in([display])
            kept.append(display)
        else:
            kept.append(not_kept("not an output the grader knows"))
    if len(outputs) > MAX_OUTPUTS_PER_CELL:
        kept.append(not_kept(f"{len(outputs) - MAX_OUTPUTS_PER_CELL} more outputs"))
    return kept


def _display(output: dict, text: str, images_left: int) -> DisplayOutput:
    display = DisplayOutput(type="display", text=text[:DISPLAY_TEXT_CAP])
    shown = [key for key in images.OUTPUT_IMAGES if key in output]
    if not shown:
        return display
    if len(shown) > 1:
        return not_kept("a display with more than one image")
    key = shown[0]
    problem = images.image_problem(images.OUTPUT_IMAGES[key], output[key])
    if problem is None and images_left <= 0:
        problem = "too many images in this notebook"
    if problem:
        return not_kept(f"an image ({problem})")
    image = output[key]
    if key == "png":
        display["png"] = image
    else:
        display["jpeg"] = image
    return display


def images_in(outputs: list[CellOutput]) -> int:
    return sum(key in output for output in outputs for key in images.OUTPUT_IMAGES)


def not_kept(why: str) -> DisplayOutput:
    """The display that stands for an output the grader does not keep."""
    return DisplayOutput(type="display", text=f"[an output was not kept: {why}]")


def check_answer(message: dict, probes: dict[str, int]) -> CheckAnswer | None:
    """`message` if it is a well-formed answer to one of the checks in `probes` (test id ->
    how many probes it has: one answer each), else None."""
    test_id, answers, output = message.get("test_id"), message.get("answers"), message.get("output")
    if not (
        message.get("event") == "check"
        and isinstance(test_id, str)
        and test_id in probes
        and isinstance(answers, list)
        and len(answers) == probes[test_id]
        and all(isinstance(answer, dict) for answer in answers)
        and isinstance(output, str)
    ):
        return None
    return CheckAnswer(event="check", test_id=test_id, answers=answers, output=output)


def _is_error_report(error: object) -> bool:
    return (
        isinstance(error, dict)
        and isinstance(error.get("type"), str)
        and isinstance(error.get("message"), str)
    )
