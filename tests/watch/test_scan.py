"""Finding new and changed submissions, by polling or told by inotify: settled folders only,
digests of content. Real folders, real inotify events."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograders.watch.inotify import Inotify
from autograders.watch.scan import Scanner


def hand_in(submitted: Path, student: str, text: str) -> Path:
    folder = submitted / student / "derivatives"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "derivatives.ipynb").write_text(text)
    return folder


def test_a_folder_is_returned_once_it_held_still_for_one_poll(tmp_path: Path) -> None:
    hand_in(tmp_path, "alice", "{}")
    scanner = Scanner(tmp_path)
    assert scanner.changed() == [] and scanner.pending()
    ((student, folder, digest),) = scanner.changed()
    assert (student, folder) == ("alice", tmp_path / "alice" / "derivatives")
    assert scanner.changed() == [] and not scanner.pending()


def test_changed_content_gets_a_new_digest_and_a_touch_the_same(tmp_path: Path) -> None:
    folder = hand_in(tmp_path, "alice", "{}")
    scanner = Scanner(tmp_path)
    scanner.changed()
    ((_, _, first),) = scanner.changed()
    os.utime(folder / "derivatives.ipynb", ns=(1, 1))  # touched, same bytes
    scanner.changed()
    ((_, _, touched),) = scanner.changed()
    assert touched == first
    hand_in(tmp_path, "alice", '{"cells": []}')
    scanner.changed()
    ((_, _, edited),) = scanner.changed()
    assert edited != first


def test_folders_without_notebooks_or_with_invalid_ids_are_left(tmp_path: Path, capsys) -> None:
    (tmp_path / "bob" / "derivatives").mkdir(parents=True)
    hand_in(tmp_path, "bad name;", "{}")
    scanner = Scanner(tmp_path)
    scanner.changed()
    assert scanner.changed() == []
    scanner.changed()
    assert capsys.readouterr().err.count("bad name") == 1  # refused once, not every poll


# Told by inotify: only folders with events, each once quiet for `settle` seconds.


class Woken:
    """The watcher's wake-up callback: counts the batches of events."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def changed_within(scanner: Scanner, seconds: float) -> list[tuple[str, Path, str]]:
    """What `changed()` returns once something is found, polling until `seconds` passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = scanner.changed()
        if found:
            return found
        time.sleep(0.01)
    return []


@pytest.fixture
def told(tmp_path: Path):
    """(SUBMITTED, a Scanner told by inotify, the wake-up counter)."""
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    woken = Woken()
    events = Inotify(submitted, woken)
    yield submitted, Scanner(submitted, events, settle=0.05, rescan=3600), woken
    events.close()


def test_inotify_reports_a_folder_renamed_in_once_quiet(told, tmp_path: Path) -> None:
    submitted, scanner, woken = told
    assert scanner.changed() == []  # the first call scans every folder: none yet
    staged = hand_in(tmp_path / "staging", "alice", "{}").parent
    staged.rename(submitted / "alice")
    ((student, folder, _),) = changed_within(scanner, 10)
    assert (student, folder) == ("alice", submitted / "alice" / "derivatives")
    assert woken.count >= 1
    assert scanner.changed() == [] and not scanner.pending()


def test_inotify_sees_a_notebook_replaced_in_a_folder_that_appeared_later(told) -> None:
    submitted, scanner, _ = told
    scanner.changed()
    hand_in(submitted, "bob", "{}")  # the folders are made, then the notebook written
    ((_, _, first),) = changed_within(scanner, 10)
    notebook = submitted / "bob" / "derivatives" / "derivatives.ipynb"
    partial = notebook.with_suffix(".partial")
    partial.write_text('{"cells": []}')
    partial.replace(notebook)
    ((student, _, second),) = changed_within(scanner, 10)
    assert student == "bob" and second != first


def test_inotify_waits_while_a_folder_keeps_changing(told) -> None:
    submitted, scanner, _ = told
    scanner.changed()
    scanner.settle = 2.0  # far above the writes' spacing, even on a loaded machine
    notebook = hand_in(submitted, "carol", "{") / "derivatives.ipynb"
    for _ in range(5):  # a slow copy: one write every 0.1 s, less than `settle` apart
        time.sleep(0.1)
        with notebook.open("a") as handle:
            handle.write(" ")
        assert scanner.changed() == [] and scanner.pending()
    ((student, _, _),) = changed_within(scanner, 10)
    assert student == "carol"


def test_a_full_scan_finds_what_inotify_did_not_report(tmp_path: Path) -> None:
    submitted = tmp_path / "submitted"
    hand_in(submitted, "dave", "{}")  # before the watch: no event will ever say so
    events = Inotify(submitted, Woken())
    try:
        scanner = Scanner(submitted, events, settle=0.0, rescan=3600)
        assert scanner.changed() == []  # found by the first full scan, marked; next call
        ((student, _, _),) = changed_within(scanner, 10)
        assert student == "dave"
    finally:
        events.close()
