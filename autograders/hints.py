"""Likely mistakes, recognised from the error a student's code raised.

Each hint names the mistake in a student's words. The patterns are matched against the
exception's type and message, which arrive from the sandbox as plain strings.
"""

from __future__ import annotations

ERROR_HINTS: tuple[tuple[str, str], ...] = (
    (
        "NotImplementedError",
        "The answer cell still holds the stub: replace "
        "`raise NotImplementedError()` with your code.",
    ),
    (
        "grad can be implicitly created only for scalar outputs",
        "`backward()` was called on a tensor with several elements. Sum it first (the sum trick: "
        "`y.sum().backward()`) or pass a gradient to `backward`.",
    ),
    (
        "Can't call numpy() on Tensor that requires grad",
        "`.numpy()` was called on a tensor that requires grad: call `.detach()` first.",
    ),
    (
        "does not require grad and does not have a grad_fn",
        "The input was not created with `requires_grad=True`, so autograd has nothing to "
        "differentiate.",
    ),
    (
        "Trying to backward through the graph a second time",
        "`backward()` ran twice through the same graph: build the graph again for each call.",
    ),
    (
        "a leaf Variable that requires grad is being used in an in-place operation",
        "An in-place change (`+=`, `.add_()`, ...) was made to a tensor that requires grad.",
    ),
    (
        "returned an incorrect number of gradients",
        "`backward` must return one gradient per input of `forward` (None for an input that "
        "needs none).",
    ),
    (
        "returned a gradient different than None",
        "`backward` returned a tensor for an input that is not a tensor: return None for it.",
    ),
    (
        "is not defined",
        "The name is not defined: check its spelling, and that its answer cell "
        "runs without an error.",
    ),
    ("SystemExit", "The code calls `exit()` or `sys.exit()`: return a value instead."),
    (
        "mat1 and mat2 shapes cannot be multiplied",
        "Shapes do not fit: `input` is (batch, in) and `weight` is (out, in), so use "
        "`input @ weight.T` (or `weight.t()`).",
    ),
)


def hint_for_error(error_type: str, message: str) -> str:
    text = f"{error_type}: {message}"
    for pattern, hint in ERROR_HINTS:
        if pattern in text:
            return hint
    return ""
