"""Grader side: the sandbox's slots, handed out one notebook at a time.

A slot runs one sandboxed child at a time. The threads that grade ask for a slot only while
a notebook runs in the sandbox (`held`), not while they read files, judge answers or write
reports, so a slot goes on to the next notebook while its last one is being judged; and the
notebooks of one student run at once on as many slots as are free (a lone submission in
`watch` gets its feedback in the time of its longest notebook, not of all three).
"""

from __future__ import annotations

import queue
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class Slots:
    """A set of slot numbers; `held()` waits for a free one (first come, first served)."""

    def __init__(self, numbers: Iterable[int]) -> None:
        self._free: queue.Queue[int] = queue.Queue()
        for number in numbers:
            self._free.put(number)
        self.count = self._free.qsize()

    @classmethod
    def first(cls, count: int) -> Slots:
        """Slots 0 to count - 1: those of a `Sandbox` with `count` workers."""
        return cls(range(count))

    @contextmanager
    def held(self) -> Iterator[int]:
        number = self._free.get()
        try:
            yield number
        finally:
            self._free.put(number)
