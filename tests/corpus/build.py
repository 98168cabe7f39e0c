"""Build the corpus as nbgrader's submitted layout: DEST/<name>/derivatives/<notebook>.ipynb.

Every submission starts from the release notebooks; its answer cells get the reference
solutions from the source notebooks (markers stripped) unless it gives its own; then its
notebook edits, raw replacements and extra files are applied.

    python -m tests.corpus.build DEST [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from autograders.authoring.fill import fill_answers
from tests.corpus.spec import ASSIGNMENT, NOTEBOOK_OF, NOTEBOOKS, POINTS, REFERENCE, Submission

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "source" / ASSIGNMENT
RELEASE = REPO / "release" / ASSIGNMENT
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def reference_answers(source: Path = SOURCE) -> dict[str, str]:
    """question id -> the instructor's solution cell, without the solution markers."""
    answers = {}
    for notebook in NOTEBOOKS:
        document = json.loads((source / f"{notebook}.ipynb").read_text(encoding="utf-8"))
        for cell in document["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] != "code" or not meta.get("solution"):
                continue
            if meta.get("grade_id") in POINTS:
                raw = cell["source"]
                text = "".join(raw) if isinstance(raw, list) else raw
                lines = [
                    line for line in text.splitlines(keepends=True) if line.strip() not in MARKERS
                ]
                answers[meta["grade_id"]] = "".join(lines)
    missing = sorted(set(POINTS) - set(answers))
    if missing:
        raise ValueError(f"no solution cell in {source} for {missing}")
    return answers


def answers_for(
    submission: Submission, references: dict[str, str], notebook: str
) -> dict[str, str]:
    """The answer cells to fill in one notebook (a stub answer keeps the release's cell)."""
    filled = {}
    for question, reference in references.items():
        if NOTEBOOK_OF[question] != notebook:
            continue
        answer = submission.answers.get(question, REFERENCE)
        if answer is not None:
            filled[question] = answer.replace(REFERENCE, reference)
    return filled


def build_submission(
    submission: Submission, dest: Path, references: dict[str, str], release: Path = RELEASE
) -> Path:
    folder = dest / submission.name / ASSIGNMENT
    for notebook in NOTEBOOKS:
        path = folder / f"{notebook}.ipynb"
        fill_answers(
            release / f"{notebook}.ipynb", answers_for(submission, references, notebook), path
        )
        if submission.edit is not None:
            document = json.loads(path.read_text(encoding="utf-8"))
            submission.edit(notebook, document)
            path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        if notebook in submission.raw:
            raw = submission.raw[notebook]
            if raw is None:
                path.unlink()
            else:
                path.write_bytes(raw(path.read_bytes()) if callable(raw) else raw)
    for relative, text in submission.extra_files.items():
        extra = dest / submission.name / relative
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(text, encoding="utf-8")
    return folder.parent


def build_class(
    dest: Path, submissions: Iterable[Submission], *, release: Path = RELEASE, source: Path = SOURCE
) -> Path:
    """Write every submission under `dest` (emptied first) and return `dest`."""
    references = reference_answers(source)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for submission in submissions:
        build_submission(submission, dest, references, release)
    return dest


def main(argv: list[str] | None = None) -> int:
    from tests.corpus import CORPUS

    parser = argparse.ArgumentParser(
        prog="python -m tests.corpus.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dest", type=Path, help="folder to create (its content is replaced)")
    parser.add_argument("names", nargs="*", help="only these submissions (default: all)")
    args = parser.parse_args(argv)
    chosen = [s for s in CORPUS if not args.names or s.name in args.names]
    unknown = sorted(set(args.names) - {s.name for s in chosen})
    if unknown:
        parser.error(f"no such submissions: {unknown}")
    build_class(args.dest, chosen)
    print(f"built {len(chosen)} submissions in {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
