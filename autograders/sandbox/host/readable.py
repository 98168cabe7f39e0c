"""Grader side: the folders a sandboxed child may read (Landlock's read-only rules).

Computed once, here, and sent to the warm process with its configuration: the child side
only applies the list (`child.confine`). The grader's own package stays out of it, so that a
child can read no rubric, reference or course secret, even where the package is installed
inside a folder the child must read (site-packages).
"""

from __future__ import annotations

import os
import re
import sys

SYSTEM_PATHS = tuple("/usr /lib /lib64 /bin /sbin /etc /proc /sys/devices/system/cpu".split())
# Secrets in /etc that a root child could otherwise read (file modes do not stop root).
HIDDEN_IN_ETC = frozenset("shadow shadow- gshadow gshadow- sudoers sudoers.d ssh ssl".split())


def read_only_paths(exclude_package_dir: str) -> list[str]:
    """Directories a child may read: the interpreter's prefixes, system files, /proc.

    `exclude_package_dir` (the grader's own package) must stay unreadable: where it lies
    inside an allowed directory (a normal install into site-packages), that directory is
    replaced by its entries, recursively along the way down, minus the package and its
    install metadata. The course repository is never listed, only the venv inside it.
    """
    wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *SYSTEM_PATHS]
    if os.environ.get("MPLCONFIGDIR"):
        wanted.append(os.environ["MPLCONFIGDIR"])
    excluded = os.path.realpath(exclude_package_dir)
    paths: list[str] = []
    for path in dict.fromkeys(os.path.realpath(p) for p in wanted):
        if not os.path.exists(path):
            continue
        if path == "/etc":
            paths += _entries_except(path, lambda name: name in HIDDEN_IN_ETC)
        elif excluded != path and _inside(excluded, path):
            paths += _split_around(path, excluded)
        else:
            paths.append(path)
    # A symlink (a venv's lib64 -> lib) must not lead back to or into the package.
    real = {path: os.path.realpath(path) for path in paths}
    return [p for p in paths if not (_inside(excluded, real[p]) or _inside(real[p], excluded))]


def _inside(path: str, directory: str) -> bool:
    return os.path.commonpath([path, directory]) == directory


def _entries_except(directory: str, hide) -> list[str]:
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    return [os.path.join(directory, name) for name in names if not hide(name)]


def _split_around(directory: str, excluded: str) -> list[str]:
    """Entries of `directory` and of its subdirectories down to `excluded`, minus that."""
    if os.path.dirname(excluded) == directory:
        return _entries_except(directory, _metadata_matcher(os.path.basename(excluded)))
    step = os.path.relpath(excluded, directory).split(os.sep)[0]
    siblings = _entries_except(directory, lambda name: name == step)
    return siblings + _split_around(os.path.join(directory, step), excluded)


def _metadata_matcher(package: str):
    """Match the package and what installers put beside it (dist-info, editable finders)."""
    from importlib.metadata import packages_distributions  # the grader's side only, and slow

    keys = {package, *packages_distributions().get(package, [])}
    flat_keys = "|".join(re.escape(key.lower().replace("-", "_")) for key in keys)
    pattern = re.compile(rf"(__editable__[._]+)?({flat_keys})([._]|$)")
    return lambda name: pattern.match(name.lower().replace("-", "_")) is not None
