"""The comparison the fidelity and differential tests rely on finds what differs."""

from __future__ import annotations

import math

from tests.fidelity.kernel import differences


def test_equal_answers_and_float_noise_do_not_differ() -> None:
    answer = {"ok": True, "value": {"type": "tensor", "data": [1.0, math.nan], "shape": [2]}}
    noisy = {"ok": True, "value": {"type": "tensor", "data": [1.0 + 1e-12, math.nan], "shape": [2]}}
    assert differences([answer], [noisy]) == []


def test_each_kind_of_difference_is_named() -> None:
    figure = {"type": "figure", "axes": [{"lines": [{"label": "function", "y": [1.0, 2.0]}]}]}
    empty = {"type": "figure", "axes": []}
    assert differences(figure, empty) == [".axes: 1 items != 0"]
    assert differences({"ok": True}, {"ok": False}) == [".ok: True != False"]
    assert differences({"v": 1.0}, {"v": 1.1}) == [".v: 1.0 != 1.1"]
    assert differences({"a": 1}, {"b": 1}) == [": keys ['a'] != ['b']"]
    assert differences([{"type": "none"}], None) == [": [{'type': 'none'}] != None"]
