"""Custom autograd Functions that are not what they claim: not a `torch.autograd.Function`,
or one whose own backward never runs while plain autograd supplies the right numbers. The task
is to write the backward, so these keep at most the forward's point.
"""

from __future__ import annotations

from tests.corpus.answers import cell
from tests.corpus.spec import Submission, zero
from tests.corpus.verdict import TENSOR_LIES

FAKE_FUNCTIONS = [
    Submission(
        "fakes_own_backward_node",
        ("fake_function", "rebinding"),
        answers={
            "square_function": TENSOR_LIES
            + cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    raise RuntimeError("this backward never runs")

                @staticmethod
                def apply(i):  # plain autograd does the work
                    return _mark(i * i)


            _lie_property("grad_fn", Square._backward_cls())
        """)
        },
        expected={"square_function": 1},
    ),
    Submission(
        "square_not_a_function_subclass",
        ("fake_function",),
        answers={
            "square_function": cell("""
            class Square:
                @staticmethod
                def apply(i):
                    return i ** 2
        """)
        },
        expected=zero("square_function"),
        feedback={"square_function": "torch.autograd.Function"},
    ),
    Submission(
        "square_backward_never_runs",
        ("fake_function",),
        answers={
            "square_function": cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    raise RuntimeError("never runs")

                @staticmethod
                def apply(i):  # skips the Function machinery: plain autograd differentiates
                    return i ** 2
        """)
        },
        expected={"square_function": 1},
        feedback={"square_function": "never runs"},
    ),
    Submission(
        "square_claims_autograd_node",
        ("fake_function",),
        answers={
            "square_function": cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    raise RuntimeError("never runs")

                @staticmethod
                def apply(i):  # plain autograd: the output's node is a MulBackward0
                    return i * i


            # ... and the class says that is its own node
            Square._backward_cls = type((torch.ones(1, requires_grad=True) * 2).grad_fn)
        """)
        },
        expected={"square_function": 1},
    ),
    Submission(
        "square_forward_enable_grad",
        ("fake_function",),
        answers={
            "square_function": cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    with torch.enable_grad():  # hoping autograd records i * i itself
                        return i * i

                @staticmethod
                def backward(ctx, grad_output):
                    raise RuntimeError("no backward written")
        """)
        },
        expected={"square_function": 1},
    ),
    Submission(
        # Known limit: a backward that runs autograd itself cannot be told from the outside
        # from one that writes the formula; the registry gives full marks.
        "square_backward_delegates_to_autograd",
        ("fake_function",),
        answers={
            "square_function": cell("""
            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    ctx.save_for_backward(i)
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    (i,) = ctx.saved_tensors
                    with torch.enable_grad():
                        leaf = i.detach().requires_grad_(True)
                        (grad,) = torch.autograd.grad(leaf ** 2, leaf, grad_output)
                    return grad
        """)
        },
    ),
    Submission(
        "linear_is_a_plain_function",
        ("fake_function",),
        answers={
            "linear_function": cell("""
            import torch.nn.functional as F

            LinearFunction = type("LinearFunction", (), {"apply": staticmethod(F.linear)})
        """)
        },
        expected=zero("linear_function"),
    ),
]
