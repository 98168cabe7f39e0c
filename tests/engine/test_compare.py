"""compare: the order of the checks, tolerances that suit float32, and messages that teach
without showing the expected value."""

from __future__ import annotations

import pytest
import torch

from autograders import compare
from autograders.compare import Mismatch


def described(values: torch.Tensor, **meta) -> dict:
    return {
        "type": "tensor",
        "dtype": str(values.dtype).removeprefix("torch."),
        "shape": list(values.shape),
        "requires_grad": False,
        "is_leaf": True,
        "data": values.double().reshape(-1).tolist(),
    } | meta


def test_a_raised_error_becomes_a_message_with_a_hint() -> None:
    answer = {
        "ok": False,
        "error": {
            "type": "RuntimeError",
            "message": "grad can be implicitly created only for scalar outputs",
        },
    }
    with pytest.raises(Mismatch) as caught:
        compare.returned(answer, "derivative_on_grid(f, 0, 1, 5)")
    assert "raised RuntimeError" in caught.value.message
    assert "sum" in caught.value.hint


def test_a_number_is_not_a_tensor() -> None:
    with pytest.raises(Mismatch, match="should be a torch tensor, not the number"):
        compare.tensor({"type": "number", "value": 1.0}, "the result")


def test_float32_answers_pass_and_the_expected_value_is_not_shown() -> None:
    want = torch.tensor([0.1234567891234], dtype=torch.float64)
    got = compare.tensor(described(want.float()), "x")
    compare.close(got.values.reshape(1), want, "x")  # float32 rounding is within tolerance
    with pytest.raises(Mismatch) as caught:
        compare.close(torch.tensor([0.5], dtype=torch.float64), want, "the derivative")
    assert "0.5" in caught.value.message and "0.123" not in caught.value.message


def test_a_known_mistake_is_named() -> None:
    want = torch.tensor([1.0, 2.0], dtype=torch.float64)
    swapped = torch.tensor([2.0, 1.0], dtype=torch.float64)
    with pytest.raises(Mismatch) as caught:
        compare.close(swapped, want, "dfdu", [("swapped!", swapped)])
    assert caught.value.hint == "swapped!"
    assert "2 of 2 entries" in caught.value.message


def test_nan_and_shape_are_reported_before_values() -> None:
    with pytest.raises(Mismatch, match="nan or inf"):
        compare.close(torch.tensor([float("nan")]), torch.tensor([1.0]), "y")
    with pytest.raises(Mismatch, match="shape"):
        compare.close(torch.ones(3), torch.ones(2), "y")


def test_zero_dim_and_one_element_answers_are_both_accepted() -> None:
    for values in (torch.tensor(3.0), torch.tensor([3.0])):
        got = compare.one_element(compare.tensor(described(values), "d"), "d")
        assert got.tolist() == [3.0]
    with pytest.raises(Mismatch, match="one element"):
        compare.one_element(compare.tensor(described(torch.ones(2)), "d"), "d")


@pytest.mark.parametrize(
    "value",
    [
        {"type": "tensor", "shape": [2], "data": [1.0]},
        {"type": "tensor", "shape": [1], "data": ["1"]},
        {"type": "tensor", "shape": [-1], "data": []},
        {"type": "tensor", "shape": [1], "data": [True]},
        "not a dict",
    ],
)
def test_malformed_descriptions_are_refused(value) -> None:
    with pytest.raises(Mismatch):
        compare.tensor(value, "the answer")
