"""A course with nbgrader's exchange on one machine: an instructor and a student, each a role.

A role is a home folder (HOME, Jupyter's folders, nbgrader's exchange cache) and a working
folder; every role uses the same temporary exchange (`Exchange.root`), never /srv/nbgrader.
The tests run as one OS user (root in CI), so the student says who they are with
`--student=<id>`, as nbgrader allows when the user name is not the student id.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograders.authoring.fill import fill_answers
from tests.assignment.assignment_support import ASSIGNMENT, NOTEBOOKS, ROOT, tool_env
from tests.corpus.build import reference_answers
from tests.corpus.spec import NOTEBOOK_OF

COURSE_ID = "pytorch-autograd"  # nbgrader_config.py's CourseDirectory.course_id
WHY_DETACH = (
    "`.numpy()` shares memory with the tensor and NumPy cannot record operations for "
    "autograd, so torch refuses to convert a tensor that requires grad. `.detach()` gives a "
    "tensor outside the graph, with the same data, which `.numpy()` may then convert."
)

# The student tries their plot once, as the lesson invites: the figure is their own output,
# which the autograded notebook and the feedback show as an image under the answer.
TRY_THE_PLOT = "\n\nplot_derivative(torch.sin, -3.0, 3.0, 50);\n"


@dataclass
class Role:
    home: Path  # HOME and every per-user folder of Jupyter and nbgrader
    cwd: Path  # where the role runs nbgrader: the course root, or the student's folder
    exchange: Path

    def nbgrader(self, *args: str) -> str:
        """`nbgrader ARGS` as this role; its output; an AssertionError when it fails."""
        command = [sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={self.exchange}"]
        done = subprocess.run(
            command, cwd=self.cwd, env=self.env(), capture_output=True, text=True, timeout=600
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{output[-3000:]}"
        return output

    def env(self) -> dict[str, str]:
        return tool_env() | {
            "HOME": str(self.home),
            "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(self.home / ".local/share/jupyter"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "MPLCONFIGDIR": str(self.home / "matplotlib"),
        }


def make_course(root: Path) -> tuple[Role, Role]:
    """An instructor (the course: config files and source/) and a student with an empty
    folder, sharing `root/exchange`; each with a home of its own."""
    exchange = root / "exchange"
    exchange.mkdir(mode=0o777)
    course = root / "course"
    course.mkdir()
    for name in ("nbgrader_config.py", "jupyter_server_config.py"):
        shutil.copy(ROOT / name, course)
    with open(course / "nbgrader_config.py", "a") as config:  # for the formgrader's server too
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    shutil.copytree(ROOT / "source", course / "source")
    roles = []
    for name, cwd in (("instructor", course), ("student", root / "student")):
        home = root / f"{name}-home"
        for folder in (home, cwd):
            folder.mkdir(exist_ok=True)
        roles.append(Role(home, cwd, exchange))
    return roles[0], roles[1]


def answer_everything(fetched: Path) -> None:
    """Write the instructor's solutions and a written why_detach answer into the fetched
    notebooks, in place, as a student who did the whole assignment would."""
    answers = reference_answers() | {"why_detach": WHY_DETACH}
    answers["plot_derivative"] += TRY_THE_PLOT
    for notebook in NOTEBOOKS:
        path = fetched / f"{notebook}.ipynb"
        mine = {q: text for q, text in answers.items() if _notebook_of(q) == notebook}
        fill_answers(path, mine, path)


def _notebook_of(question: str) -> str:
    return NOTEBOOK_OF.get(question, "derivatives" if question == "why_detach" else "")


def fetched_feedback(student: Role) -> dict[str, Path]:
    """notebook -> the feedback page `nbgrader fetch_feedback` put in the student's folder."""
    pages = sorted((student.cwd / ASSIGNMENT / "feedback").glob("*/*.html"))
    return {page.stem: page for page in pages}
