"""The CLI progress bar: drawn in place on a terminal, silent elsewhere, safe across threads."""

from __future__ import annotations

import io
import threading

from autograders.reports.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_a_bar_redrawn_with_carriage_returns():
    terminal, clock = FakeTerminal(), FakeClock()
    with Progress(4, stream=terminal, clock=clock) as progress:
        clock.now += 3.0
        progress.advance("alice")

    text = terminal.getvalue()
    assert text.startswith("\rgrading [#####...............] 1/4 students  3.0 s  eta 9 s  alice")
    assert text.endswith("\n")


def test_a_shorter_line_wipes_the_end_of_the_longer_one():
    terminal = FakeTerminal()
    progress = Progress(2, stream=terminal, clock=FakeClock())
    progress.advance("a-rather-long-student-id")
    progress.advance()

    first, second = terminal.getvalue().split("\r")[1:]
    assert len(second) == len(first)
    assert second.rstrip().endswith("2/2 students  0.0 s")


def test_not_a_terminal_means_no_output_at_all():
    log = io.StringIO()
    with Progress(3, stream=log) as progress:
        for name in ["a", "b", "c"]:
            progress.advance(name)

    assert log.getvalue() == ""
    assert progress.done == 3


def test_labels_cannot_drive_the_terminal():
    terminal = FakeTerminal()
    Progress(1, stream=terminal, clock=FakeClock()).advance("evil\x1b[2J\x07")

    assert "\x1b" not in terminal.getvalue() and "\x07" not in terminal.getvalue()


def test_worker_threads_count_every_student_once():
    terminal = FakeTerminal()
    progress = Progress(400, stream=terminal)

    def work() -> None:
        for _ in range(100):
            progress.advance()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress.close()
    progress.close()  # closing twice is harmless

    assert progress.done == 400
    assert "400/400 students" in terminal.getvalue()
    assert terminal.getvalue().count("\n") == 1


def test_zero_students_does_not_divide_by_zero():
    assert "0/0 students" in Progress(0, enabled=True, stream=FakeTerminal()).render_line()
