"""The grader's test corpus: named submissions of the `derivatives` assignment, each with the
scores it must get. `CORPUS` lists them all; `build.build_class` turns them into nbgrader's
submitted layout."""

from __future__ import annotations

from tests.corpus.escapes import ESCAPES
from tests.corpus.fake_functions import FAKE_FUNCTIONS
from tests.corpus.faults import FAULTS
from tests.corpus.honest import HONEST
from tests.corpus.jupyter import JUPYTER
from tests.corpus.mistakes import MISTAKES
from tests.corpus.spec import Submission
from tests.corpus.strict import HARNESS_REWRITES, STRICT
from tests.corpus.tampered import TAMPERED
from tests.corpus.verdict import VERDICT

CATEGORIES: dict[str, list[Submission]] = {
    "honest": HONEST,
    "mistakes": MISTAKES,
    "strict": STRICT,
    "jupyter": JUPYTER,
    "faults": FAULTS,
    "verdict": VERDICT,
    "fake_functions": FAKE_FUNCTIONS,
    "harness": HARNESS_REWRITES,
    "escapes": ESCAPES,
    "tampered": TAMPERED,
}
CORPUS: list[Submission] = [s for group in CATEGORIES.values() for s in group]

_names = [s.name for s in CORPUS]
_twice = sorted({name for name in _names if _names.count(name) > 1})
if _twice:
    raise ValueError(f"duplicate submission names: {_twice}")
