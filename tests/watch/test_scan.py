"""Polling for new and changed submissions: settled folders only, digests of content."""

from __future__ import annotations

import os
from pathlib import Path

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
