"""What a cell showed in the sandbox, as nbformat outputs: one definition for every view of a
graded notebook (nbgrader's autograded notebook, the formgrader, both feedbacks).

The sandbox reports each cell as plain data (`sandbox.messages.CellReport`); the outputs made
here are what a kernel would have saved in the notebook. They are student content: every
page that shows them escapes or sanitizes them.
"""

from __future__ import annotations


def notebook_outputs(report: dict | None) -> list[dict]:
    """nbformat outputs for what a cell printed in the sandbox, and the error it raised."""
    if not report:
        return []
    outputs = [
        {"output_type": "stream", "name": name, "text": report[name]}
        for name in ("stdout", "stderr")
        if report.get(name)
    ]
    error = report.get("error")
    # IPython printed the traceback to stdout already; an error it could not print still shows
    if error and error["type"] not in report.get("stdout", ""):
        outputs.append(
            {
                "output_type": "error",
                "ename": error["type"],
                "evalue": error["message"],
                "traceback": [f"{error['type']}: {error['message']}"],
            }
        )
    return outputs
