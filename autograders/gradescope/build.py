"""`autograders gradescope build`: the zip that Gradescope's "Configure Autograder" takes.

    setup.sh           installs Python >= 3.11 and the wheel below, with the CPU torch
    run_autograder     grades one submission (`autograders.gradescope.run`)
    <project>.whl      this project, built now from the source checkout
    constraints.txt    the pins the tests ran with (torch, nbgrader)
    course-secret      the key of the hidden inputs (mode 0600)
    release/derivatives/   the release the students copied (its leading cells run once)

The key is a fresh random secret made for this zip, unless the instructor passes
`--secret-file`: then the course's own secret goes in, and a local `autograders grade
--secret-file` of the same students (Gradescope user ids) draws the same hidden inputs. Either
way, whoever holds the zip holds the key: keep it as private as the solutions.
"""

from __future__ import annotations

import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata, resources
from pathlib import Path

from autograders import course_secret
from autograders.layout import ASSIGNMENT

PROJECT_NAME = "derivatives-autograder"
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")
EXECUTABLE = 0o755
PRIVATE = 0o600
SETUPTOOLS_MAJOR = 77  # as pyproject.toml's [build-system] requires


class BuildError(RuntimeError):
    """The zip cannot be built; the message says why and what to do."""


def build_zip(*, out: Path, secret_file: Path | None = None) -> list[str]:
    """Write the autograder zip to `out`; the names it holds.

    Raises BuildError when this is not a source checkout, the wheel does not build, or the
    secret file is unusable.
    """
    project = project_root()
    try:
        secret = course_secret.load_or_create(secret_file) if secret_file else new_secret()
    except (OSError, ValueError) as error:
        raise BuildError(f"no course secret: {error}") from None
    with tempfile.TemporaryDirectory(prefix="autograder-zip-") as scratch:
        wheel = build_wheel(project, Path(scratch))
        files = {
            "setup.sh": (template("setup.sh"), EXECUTABLE),
            "run_autograder": (template("run_autograder"), EXECUTABLE),
            wheel.name: (wheel.read_bytes(), 0o644),
            "constraints.txt": ((project / "constraints.txt").read_bytes(), 0o644),
            "course-secret": (secret + b"\n", PRIVATE),
            **release_files(project),
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return list(files)


def release_files(project: Path) -> dict[str, tuple[bytes, int]]:
    """The release the students copied (`release/<assignment>/...`): the grader runs its
    unchanged leading cells once and each notebook in a copy of it, as `autograders grade`
    does. Nothing when the checkout has no release."""
    folder = project / "release" / ASSIGNMENT
    files = sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []
    return {
        path.relative_to(project).as_posix(): (path.read_bytes(), 0o644)
        for path in files
        if "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts
    }


def new_secret() -> bytes:
    return secrets.token_hex(32).encode()


def template(name: str) -> bytes:
    return resources.files("autograders.gradescope").joinpath(name).read_bytes()


def project_root() -> Path:
    """The source checkout this package was imported from (it has pyproject.toml)."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or f'name = "{PROJECT_NAME}"' not in pyproject.read_text():
        raise BuildError(
            f"building the zip needs this project's source checkout (found no {PROJECT_NAME} "
            f"pyproject.toml in {root}): run it from a clone installed with `pip install -e .`"
        )
    return root


def build_wheel(project: Path, into: Path) -> Path:
    """A wheel of the project, built with pip from a clean copy of its sources (so that no
    build/ or .egg-info folder lands in the checkout, and no stray file in the wheel)."""
    source = into / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        if (project / name).is_file():
            shutil.copy2(project / name, source / name)
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(project / "autograders", source / "autograders", ignore=ignored)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
    if local_setuptools_suffices():  # offline, and no download of setuptools for each build
        command.append("--no-build-isolation")
    done = subprocess.run(
        [*command, "--wheel-dir", str(into), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    wheels = sorted(into.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise BuildError(f"the wheel did not build:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wheels[0]


def local_setuptools_suffices() -> bool:
    """Whether this environment's setuptools builds pyproject.toml (SPDX `license`: 77)."""
    try:
        major = metadata.version("setuptools").split(".")[0]
    except metadata.PackageNotFoundError:
        return False
    return major.isdigit() and int(major) >= SETUPTOOLS_MAJOR
