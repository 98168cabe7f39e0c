"""The shape of a corpus entry: a submission named after its behaviour, and its expected scores.

A `Submission` starts from the release notebooks with every autograded answer cell holding
the instructor's reference solution (read from `source/`), then changes what it names:

- `answers`: question id -> the new source of that answer cell. `REFERENCE` inside the text
  stands for the reference solution of the same question (to add code around an honest
  answer); `STUB` leaves the release's stub in place.
- `edit(notebook, document)`: change a filled notebook's JSON in place (tampering).
- `raw`: notebook -> the file's bytes, or a function of the filled file's bytes; `MISSING`
  deletes the file.
- `extra_files`: paths relative to the student's folder -> text.

`expected` lists only the questions that do not earn full marks; `feedback` asks that the
report for a question contains some words (the hint a student should read); `status` asks
that the `status` column contains some words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from autograders import problems

ASSIGNMENT = problems.ASSIGNMENT

# The student contract, derived from the registry (the one truth about points): question id ->
# points of its autograded checks, and question id -> its notebook.
POINTS: dict[str, float] = {p.question_id: float(p.points) for p in problems.PROBLEMS}
NOTEBOOK_OF: dict[str, str] = {p.question_id: p.notebook for p in problems.PROBLEMS}
NOTEBOOKS = problems.NOTEBOOKS
QUESTIONS_OF: dict[str, tuple[str, ...]] = {
    notebook: tuple(q for q, nb in NOTEBOOK_OF.items() if nb == notebook) for notebook in NOTEBOOKS
}

REFERENCE = "#<the reference solution of this question>"
STUB = None
MISSING = None

# One key per line of /work/shared/GRADING_THREATS.md (and the two kinds of ordinary work).
THREATS: dict[str, str] = {
    "raises": "raises, NotImplementedError, SyntaxError, IndentationError in an answer",
    "exits": "sys.exit(), exit(), raise SystemExit at top level or in a function",
    "process_death": "os._exit(), a segfault, an abort or an out-of-memory kill during a call",
    "evil_dunders": "exceptions or return values whose __repr__, __eq__, __del__ misbehave",
    "hangs": "infinite loop at top level or in a function; a loop that ignores SIGINT",
    "resources": "memory hog, fork bomb, huge files, million-line or megabyte-long output",
    "background": "background processes started with start_new_session=True or a double fork",
    "tampered_cells": "test cells deleted, edited, turned into markdown; points raised; "
    "duplicated or fake grade cells; cells reordered; scratch cells added",
    "unreadable": "invalid JSON, an empty or enormous file, a missing notebook, old nbformat",
    "extra_files": "extra files in the submission folder (conftest.py, sitecustomize.py, "
    "*.pth, a module named like one the grader imports)",
    "rebinding": "rebinding torch.allclose, assert_close, numpy.allclose, math.isclose, "
    "builtins; patching Tensor methods",
    "always_equal": "an object whose __eq__/__bool__ always agrees, or a Tensor subclass "
    "whose __torch_function__ answers True",
    "ipython": "set_custom_exc, replacing showtraceback, AST or input transformers, "
    "sys.displayhook",
    "fake_output": 'printing fake results ("60 passed", a results.json, "Success!")',
    "snooping": "reading the caller's frames or gc.get_objects() for expected values",
    "find_solutions": "looking for the instructor's notebooks, the rubric or reference code "
    "on disk or in sys.modules",
    "write_files": "writing the gradebook, the output folder, nbgrader_config.py or course "
    "files; a detached process that rewrites results after grading",
    "plant_startup": "planting IPython startup files, sitecustomize, user-site .pth files",
    "network": "using the network",
    "fake_function": "a custom Function that is not a torch.autograd.Function, or whose "
    "backward never runs",
    "hard_coding": "hard-coding the visible test's values or the example's derivative",
    "honest_noise": "warnings or prints on stderr; plt.show(); %matplotlib inline and magics",
    "honest_variants": "float64, 0-dim vs one-element tensors, torch.autograd.grad, torch.func",
    "module_state": "answers that keep module-level state (a .grad that accumulates)",
    "in_place": "answers that modify the caller's tensors in place",
    "mistake": "an ordinary mistake a student makes",
}

NotebookEdit = Callable[[str, dict], None]
RawNotebook = bytes | Callable[[bytes], bytes] | None


@dataclass(frozen=True)
class Submission:
    name: str  # the student id: what the submission does, e.g. "ignores_grad_output"
    covers: tuple[str, ...]  # keys of THREATS
    answers: Mapping[str, str | None] = field(default_factory=dict)
    expected: Mapping[str, float] = field(default_factory=dict)
    edit: NotebookEdit | None = None
    raw: Mapping[str, RawNotebook] = field(default_factory=dict)
    extra_files: Mapping[str, str] = field(default_factory=dict)
    feedback: Mapping[str, str] = field(default_factory=dict)
    status: str = "graded"

    def __post_init__(self) -> None:
        unknown = (set(self.answers) | set(self.expected) | set(self.feedback)) - set(POINTS)
        if unknown:
            raise ValueError(f"{self.name}: unknown question ids {sorted(unknown)}")
        if not self.covers or set(self.covers) - set(THREATS):
            raise ValueError(f"{self.name}: covers must name keys of THREATS")

    def expected_scores(self) -> dict[str, float]:
        return {
            question: float(self.expected.get(question, points))
            for question, points in POINTS.items()
        }


def zero(*questions: str) -> dict[str, float]:
    """Expected scores of 0 for whole questions."""
    unknown = set(questions) - set(POINTS)
    if unknown:
        raise ValueError(f"unknown question ids {sorted(unknown)}")
    return dict.fromkeys(questions, 0.0)


def zero_notebook(notebook: str) -> dict[str, float]:
    """Expected scores of 0 for every question of a notebook."""
    return zero(*QUESTIONS_OF[notebook])
