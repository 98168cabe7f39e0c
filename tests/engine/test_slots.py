"""The sandbox's slots: each held by one notebook at a time, waited for when all are taken."""

from __future__ import annotations

import threading

from autograders.sandbox.host.slots import Slots


def test_slots_are_handed_out_once_each_and_come_back() -> None:
    slots = Slots.first(2)
    with slots.held() as first, slots.held() as second:
        assert {first, second} == {0, 1}
    with slots.held() as again:
        assert again in (0, 1)
    assert slots.count == 2


def test_a_notebook_waits_for_a_slot_until_one_is_released() -> None:
    slots = Slots([7])
    got: list[int] = []
    waiting = threading.Event()

    def later() -> None:
        waiting.set()
        with slots.held() as number:
            got.append(number)

    with slots.held() as number:
        assert number == 7
        thread = threading.Thread(target=later)
        thread.start()
        waiting.wait()
        assert got == []  # the only slot is still held here
    thread.join(timeout=10)
    assert got == [7]


def test_a_slot_comes_back_when_the_notebook_fails() -> None:
    slots = Slots([3])
    try:
        with slots.held():
            raise RuntimeError("the grader's own error")
    except RuntimeError:
        pass
    with slots.held() as number:
        assert number == 3
