"""The instructor's answers: the solution cells of source/derivatives/*.ipynb, markers out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.corpus.build import SOURCE, reference_answers
from tests.corpus.spec import NOTEBOOK_OF, POINTS, QUESTIONS_OF


@dataclass(frozen=True)
class Answers:
    solutions: dict[str, str]  # question id -> the solution cell's source

    @classmethod
    def read(cls, source: Path = SOURCE) -> Answers:
        return cls(reference_answers(source))

    def notebook_of(self, question: str) -> list[tuple[str, str]]:
        """(question, solution) for every question of question's notebook, in cell order:
        an answer may use an earlier one (plot_derivative calls derivative_on_grid)."""
        return [(q, self.solutions[q]) for q in QUESTIONS_OF[NOTEBOOK_OF[question]]]


def points(question: str) -> float:
    return float(POINTS[question])
