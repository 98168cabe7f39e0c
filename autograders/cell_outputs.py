"""What a cell showed in the sandbox, as nbformat outputs: one definition for every view of a
graded notebook (nbgrader's autograded notebook, the formgrader, both feedbacks).

The sandbox reports each cell as plain data (`sandbox.messages.CellReport`, its outputs checked
by `messages.cell_outputs`); the outputs made here are what a kernel would have saved in the
notebook, in the same order: streams, and displays as `display_data` with their text/plain and
a PNG or JPEG image when they have one. They are student content: every page that shows them
escapes or sanitizes them.
"""

from __future__ import annotations

from autograders.sandbox.images import OUTPUT_IMAGES


def notebook_outputs(report: dict | None) -> list[dict]:
    """nbformat outputs for what a cell showed in the sandbox, and the error it raised."""
    if not report:
        return []
    outputs = [_nbformat_output(output) for output in report.get("outputs", [])]
    printed = "".join(
        output["text"] for output in report.get("outputs", []) if output.get("name") == "stdout"
    )
    error = report.get("error")
    # IPython printed the traceback to stdout already; an error it could not print still shows
    if error and error["type"] not in printed:
        outputs.append(
            {
                "output_type": "error",
                "ename": error["type"],
                "evalue": error["message"],
                "traceback": [f"{error['type']}: {error['message']}"],
            }
        )
    return outputs


def _nbformat_output(output: dict) -> dict:
    if output["type"] == "stream":
        return {"output_type": "stream", "name": output["name"], "text": output["text"]}
    data = {"text/plain": output["text"]}
    data |= {mime: output[key] for key, mime in OUTPUT_IMAGES.items() if key in output}
    return {"output_type": "display_data", "data": data, "metadata": {}}
