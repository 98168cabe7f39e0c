"""Where the notebooks of a submission lie, checked before any warm process starts.

`grade` expects nbgrader's layout, `SUBMITTED/<student_id>/derivatives/<notebook>.ipynb`, or one
student's folder, `STUDENT/derivatives/<notebook>.ipynb`. Anything else used to grade 0 students
and exit 0; `check_submitted` turns each wrong shape into a `LayoutError` whose message says what
was expected and what was found, so that the CLI can exit 2 before the sandbox starts.

`find_notebook_folder` serves the Gradescope runner, whose submission folder holds one student's
files: flat, in a `derivatives/` folder, or inside one wrapper folder (a zipped folder).
"""

from __future__ import annotations

from pathlib import Path

from autograders.student_ids import RULE, is_valid_student_id, shown

# The registry's names (`autograders.problems`), repeated here because importing the registry
# imports torch, which the CLI loads only while the warm processes start; a test keeps the two
# equal.
ASSIGNMENT = "derivatives"
NOTEBOOKS = ("derivatives", "partial_derivatives", "custom_backward")
NOTEBOOK_FILES = tuple(f"{notebook}.ipynb" for notebook in NOTEBOOKS)
EXPECTED = (
    f"SUBMITTED/<student_id>/{ASSIGNMENT}/<notebook>.ipynb (nbgrader's layout) or "
    f"one student's folder STUDENT/{ASSIGNMENT}/<notebook>.ipynb, with the notebooks "
    + ", ".join(NOTEBOOK_FILES)
)
SHOWN = 5  # names listed in a message before "..."


class LayoutError(ValueError):
    """The folder given to `grade` does not have the expected layout; the message says why."""


def check_submitted(submitted: Path) -> None:
    """Raise LayoutError unless `submitted` has at least one gradable student folder.

    One student without notebooks among others is not an error (that student gets a row that
    says "missing"); a class in which no student folder holds a notebook is.
    """
    if not submitted.is_dir():
        raise LayoutError(f"{submitted} is not a folder. Expected {EXPECTED}.")
    entries = visible_entries(submitted)
    if not entries:
        raise _error(submitted, "an empty folder")
    if (submitted / ASSIGNMENT).is_dir():
        if not notebooks_in(submitted / ASSIGNMENT):
            found = describe(visible_entries(submitted / ASSIGNMENT))
            raise _error(submitted, f"no notebook in {ASSIGNMENT}/ (it holds {found})")
        check_student_ids([submitted])
        return
    if notebooks_in(submitted):
        raise _error(
            submitted,
            f"the notebooks directly in it ({describe(notebooks_in(submitted))}), one level too "
            f"shallow: put them in {submitted}/<student_id>/{ASSIGNMENT}/",
        )
    students = [entry for entry in entries if entry.is_dir()]
    if not students:
        raise _error(submitted, f"no student folders, only files ({describe(entries)})")
    gradable = [student for student in students if notebooks_in(student / ASSIGNMENT)]
    if gradable:
        check_student_ids(gradable)
        return
    raise _error(submitted, diagnose_students(students))


def diagnose_students(students: list[Path]) -> str:
    """What the student folders hold instead of `<student>/derivatives/<notebook>.ipynb`."""
    flat = [student for student in students if notebooks_in(student)]
    if flat:
        return (
            f"the notebooks directly in student folders ({describe(flat)}): put them in "
            f"<student_id>/{ASSIGNMENT}/"
        )
    nested = [student for student in students if has_assignment_folders(student)]
    if nested:
        return (
            f"the student folders one level too deep, inside {describe(nested)}: pass that "
            f"folder instead (e.g. {shown(str(nested[0]))})"
        )
    others = sorted({inner.name for s in students for inner in visible_dirs(s) if any_ipynb(inner)})
    if others:
        return (
            f"notebooks for another assignment ({describe_names(others)}), not "
            f"{ASSIGNMENT!r}: this grader knows only the assignment "
            f"{ASSIGNMENT!r}"
        )
    if any(student.joinpath(ASSIGNMENT).is_dir() for student in students):
        return f"{ASSIGNMENT}/ folders without any of the notebooks"
    return f"{len(students)} folders ({describe(students)}) without any notebook"


def check_student_ids(students: list[Path]) -> None:
    """Raise LayoutError when no student folder with notebooks has a valid id as its name
    (`submission.student_folders` sets such folders aside, which would leave nothing)."""
    if not any(is_valid_student_id(student.name) for student in students):
        raise _error(
            students[0].parent,
            f"only student folders whose names are not valid student ids "
            f"({describe(students)}; allowed: {RULE})",
        )


def find_notebook_folder(root: Path) -> Path | None:
    """The folder of one student's submission that holds the assignment's notebooks.

    Looked for, in this order: `root` itself (Gradescope's flat upload), `root/derivatives`,
    then the same two inside each single wrapper folder (a zipped folder, `__MACOSX` ignored).
    None when no expected notebook is found.
    """
    for folder in (root, root / ASSIGNMENT):
        if notebooks_in(folder):
            return folder
    wrappers = [entry for entry in visible_dirs(root) if entry.name != "__MACOSX"]
    if len(wrappers) == 1 and wrappers[0].name != ASSIGNMENT:
        return find_notebook_folder(wrappers[0])
    return None


def notebooks_in(folder: Path) -> list[Path]:
    """The assignment's notebooks that lie in `folder` as regular files."""
    return [folder / name for name in NOTEBOOK_FILES if (folder / name).is_file()]


def has_assignment_folders(folder: Path) -> bool:
    return any(notebooks_in(student / ASSIGNMENT) for student in visible_dirs(folder))


def any_ipynb(folder: Path) -> bool:
    return any(path.suffix == ".ipynb" for path in visible_entries(folder))


def visible_entries(folder: Path) -> list[Path]:
    """`folder`'s entries without hidden ones (a leading dot), sorted; [] when unreadable."""
    try:
        return sorted(entry for entry in folder.iterdir() if not entry.name.startswith("."))
    except OSError:
        return []


def visible_dirs(folder: Path) -> list[Path]:
    return [entry for entry in visible_entries(folder) if entry.is_dir()]


def describe(paths: list[Path]) -> str:
    return describe_names([path.name for path in paths])


def describe_names(names: list[str]) -> str:
    listed = ", ".join(shown(name) for name in names[:SHOWN])
    return listed + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _error(submitted: Path, found: str) -> LayoutError:
    return LayoutError(f"nothing to grade in {submitted}. Expected {EXPECTED}; found {found}.")
