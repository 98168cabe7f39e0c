"""Attacks on the verdict: rebinding comparisons, patching tensors, objects that agree with
everything, IPython tricks, fake output, snooping, fake autograd Functions, hard-coding.
Each also holds honest answers elsewhere, which must keep their points; a cheated question
earns what its honest part deserves (usually 0).
"""

from __future__ import annotations

from tests.corpus.answers import PLOT_OWN, cell, square_with_backward
from tests.corpus.spec import REFERENCE, STUB, Submission, zero

# Lies told only about the tensors passed to _mark (found again by their storage, which the
# grader's own views share), so the honest answers in the same process are not disturbed.
TENSOR_LIES = cell("""
    _marked, _kept = set(), []


    def _mark(tensor):
        _kept.append(tensor)  # kept alive, so no later tensor reuses its storage
        _marked.add(torch._C.TensorBase.data_ptr(tensor))
        return tensor


    def _is_marked(tensor):
        return torch._C.TensorBase.data_ptr(tensor) in _marked


    def _lie_property(name, fake):
        real = getattr(torch._C.TensorBase, name)
        setattr(torch.Tensor, name, property(
            lambda self: fake if _is_marked(self) else real.__get__(self),
            lambda self, value: real.__set__(self, value)))


    def _lie_method(name, fake):
        real = getattr(torch.Tensor, name)

        def method(self, *args, **kwargs):
            return (fake if _is_marked(self) else real)(self, *args, **kwargs)

        setattr(torch.Tensor, name, method)
""")

VERDICT = [
    Submission(
        "rebinds_torch_comparisons",
        ("rebinding",),
        answers={
            "derivative_at": cell("""
            import math

            import numpy
            import torch.testing

            torch.allclose = lambda *args, **kwargs: True
            torch.equal = lambda *args, **kwargs: True
            torch.isclose = lambda a, b, *args, **kwargs: torch.ones_like(a, dtype=torch.bool)
            torch.testing.assert_close = lambda *args, **kwargs: None
            numpy.allclose = lambda *args, **kwargs: True
            numpy.testing.assert_allclose = lambda *args, **kwargs: None
            math.isclose = lambda *args, **kwargs: True


            def derivative_at(f, x0):
                return torch.tensor(0.0)
        """)
        },
        expected=zero("derivative_at"),
    ),
    Submission(
        "rebinds_builtins",
        ("rebinding",),
        answers={
            "partial_derivatives": cell("""
            import builtins

            builtins.all = lambda *args, **kwargs: True
            builtins.any = lambda *args, **kwargs: False
            builtins.abs = lambda x: 0
            builtins.round = lambda *args, **kwargs: 0


            def partial_derivatives(f, u0, v0):
                return torch.tensor(1.0), torch.tensor(1.0)
        """)
        },
        expected=zero("partial_derivatives"),
    ),
    Submission(
        "patches_tensor_methods",
        ("rebinding",),
        answers={
            "derivative_at": TENSOR_LIES
            + cell("""
            for _name, _fake in {
                "__eq__": lambda self, other: torch.ones(tuple(self.shape), dtype=torch.bool),
                "__ne__": lambda self, other: torch.zeros(tuple(self.shape), dtype=torch.bool),
                "__bool__": lambda self: True,
                "__float__": lambda self: 12.0,
                "__repr__": lambda self: "tensor(12.)",
                "allclose": lambda self, *args, **kwargs: True,
                "equal": lambda self, *args, **kwargs: True,
                "tolist": lambda self: [12.0],
                "item": lambda self: 12.0,
                "numpy": lambda self, *args, **kwargs: torch.full((1,), 12.0).numpy(),
                "double": lambda self: torch.full(tuple(self.shape), 12.0).double(),
                "to": lambda self, *args, **kwargs: torch.full(tuple(self.shape), 12.0),
                "detach": lambda self: torch.full(tuple(self.shape), 12.0),
                "reshape": lambda self, *shape: torch.full((1,), 12.0),
            }.items():
                _lie_method(_name, _fake)


            def derivative_at(f, x0):
                return _mark(torch.zeros(()))
        """)
        },
        expected=zero("derivative_at"),
    ),
    Submission(
        "patches_tensor_properties",
        ("rebinding", "in_place"),
        answers={
            "derivative_on_grid": TENSOR_LIES
            + cell("""
                _lie_property("requires_grad", False)
                _lie_property("grad_fn", None)
                _lie_property("is_leaf", True)


                def derivative_on_grid(f, start, end, steps):
                    x = torch.linspace(start, end, steps, requires_grad=True)
                    y = f(x)
                    y.sum().backward()
                    return _mark(x), _mark(y), x.grad  # not detached, but says so
            """),
            "plot_derivative": PLOT_OWN,
            "partials_on_grid": TENSOR_LIES
            + cell("""
                _lie_property("requires_grad", False)
                _lie_property("grad", None)
                _lie_property("is_leaf", True)
                _lie_property("grad_fn", None)


                def partials_on_grid(f, u, v):
                    u.requires_grad_(True)  # the caller's tensors, changed in place
                    v.requires_grad_(True)
                    f(u, v).sum().backward()
                    dfdu, dfdv = u.grad.clone(), v.grad.clone()
                    _mark(u), _mark(v)
                    return dfdu, dfdv
            """),
        },
        expected={"derivative_on_grid": 2, "partials_on_grid": 2},
    ),
    Submission(
        "always_equal_object",
        ("always_equal",),
        answers={
            "derivative_at": cell("""
                class AlwaysRight:
                    def __eq__(self, other):
                        return True

                    def __ne__(self, other):
                        return False

                    def __bool__(self):
                        return True

                    def __float__(self):
                        return 12.0

                    def __len__(self):
                        return 1

                    def __iter__(self):
                        return iter([self, self, self])

                    def __getitem__(self, index):
                        return self

                    def __getattr__(self, name):
                        return lambda *args, **kwargs: self


                def derivative_at(f, x0):
                    return AlwaysRight()
            """),
            "plot_derivative": "def plot_derivative(f, start, end, steps):\n"
            "    return AlwaysRight()\n",
            "leaf_answers": cell("""
                class AlwaysTrue:
                    def __eq__(self, other):
                        return True

                    def __bool__(self):
                        return True


                is_leaf = AlwaysTrue()
                has_grad = {key: AlwaysTrue() for key in "abcde"}
            """),
        },
        expected=zero("derivative_at", "plot_derivative", "leaf_answers"),
    ),
    Submission(
        "fakes_its_class",
        ("always_equal",),
        answers={
            "derivative_at": cell('''
                import matplotlib.figure


                class Impostor:
                    """isinstance() believes __class__: this claims to be a tensor."""

                    @property
                    def __class__(self):
                        return torch.Tensor

                    shape = dtype = requires_grad = property(lambda self: self)

                    def __getattr__(self, name):
                        return lambda *args, **kwargs: self


                class FigureImpostor(Impostor):
                    @property
                    def __class__(self):
                        return matplotlib.figure.Figure


                def derivative_at(f, x0):
                    return Impostor()
            '''),
            "plot_derivative": "def plot_derivative(f, start, end, steps):\n"
            "    return FigureImpostor()\n",
        },
        expected=zero("derivative_at", "plot_derivative"),
    ),
    Submission(
        "tensor_subclass_torch_function",
        ("always_equal",),
        answers={
            "derivative_at": cell("""
                class Agreeable(torch.Tensor):
                    @classmethod
                    def __torch_function__(cls, func, types, args=(), kwargs=None):
                        if func.__name__ in ("__get__", "__set__"):
                            return super().__torch_function__(func, types, args, kwargs or {})
                        return True


                def derivative_at(f, x0):
                    return torch.zeros(()).as_subclass(Agreeable)
            """),
            "partials_on_grid": cell("""
                class Agreeable(torch.Tensor):
                    @classmethod
                    def __torch_function__(cls, func, types, args=(), kwargs=None):
                        return True


                def partials_on_grid(f, u, v):
                    return (torch.zeros_like(u).as_subclass(Agreeable),
                            torch.zeros_like(v).as_subclass(Agreeable))
            """),
        },
        expected={"derivative_at": 0, "partials_on_grid": 1},
    ),
    Submission(
        "evil_dunder_methods",
        ("evil_dunders",),
        answers={
            "derivative_at": cell("""
                class Endless(Exception):
                    def __str__(self):
                        while True:
                            pass

                    __repr__ = __str__


                def derivative_at(f, x0):
                    raise Endless()
            """),
            "partial_derivatives": cell("""
                import os


                class Bomb:
                    def __repr__(self):
                        os._exit(3)

                    def __eq__(self, other):
                        raise SystemExit(0)

                    def __del__(self):
                        os._exit(4)


                def partial_derivatives(f, u0, v0):
                    return Bomb(), Bomb()
            """),
            "leaf_answers": cell("""
                class BadKey(str):
                    def __str__(self):
                        raise KeyboardInterrupt

                    def __hash__(self):
                        return str.__hash__(self)


                is_leaf = {BadKey(k): v for k, v in
                           {"a": True, "b": True, "c": False, "d": True, "e": False}.items()}
                has_grad = {"a": True, "b": False, "c": False, "d": False, "e": False}
            """),
        },
        expected={"derivative_at": 0, "partial_derivatives": 0, "leaf_answers": 1},
    ),
    Submission(
        "ipython_custom_exc",
        ("ipython",),
        answers={
            "derivative_at": cell("""
            def _swallow(shell, etype, evalue, tb, tb_offset=None):
                print("All tests passed!")


            get_ipython().set_custom_exc((BaseException,), _swallow)


            def derivative_at(f, x0):
                raise NotImplementedError()
        """)
        },
        expected=zero("derivative_at"),
    ),
    Submission(
        "replaces_showtraceback",
        ("ipython",),
        answers={
            "partial_derivatives": cell("""
            import sys

            _ip = get_ipython()
            _ip.showtraceback = lambda *args, **kwargs: print("Success!")
            _ip.showsyntaxerror = lambda *args, **kwargs: None
            sys.excepthook = lambda *args: None


            def partial_derivatives(f, u0, v0):
                raise NotImplementedError()
        """)
        },
        expected=zero("partial_derivatives"),
    ),
    Submission(
        "ast_transformer_strips_raise",
        ("ipython",),
        answers={
            "square_function": cell("""
                import ast


                class _Quiet(ast.NodeTransformer):
                    def visit_Assert(self, node):
                        return ast.Pass()

                    def visit_Raise(self, node):
                        return ast.Pass()


                get_ipython().ast_transformers.append(_Quiet())
            """)
            + REFERENCE,
            "leaf_answers": STUB,
        },
        expected=zero("leaf_answers"),
    ),
    Submission(
        "input_transformer_strips_raise",
        ("ipython",),
        answers={
            "derivative_at": cell("""
                def _drop_raise(lines):
                    return [line for line in lines if "raise" not in line and "assert" not in line]


                get_ipython().input_transformers_post.append(_drop_raise)
            """)
            + REFERENCE,
            "derivative_on_grid": STUB,
            "plot_derivative": PLOT_OWN,
        },
        expected=zero("derivative_on_grid"),
    ),
    Submission(
        "displayhook_fakes",
        ("ipython", "fake_output"),
        answers={
            "partials_on_grid": cell("""
            import sys


            def _hook(value):
                print("Success! partials_on_grid: all tests passed.")


            sys.displayhook = _hook
            get_ipython().displayhook = _hook


            def partials_on_grid(f, u, v):
                sys.displayhook(True)
                return True
        """)
        },
        expected={"partials_on_grid": 1},  # wrong values; the caller's u and v are untouched
    ),
    Submission(
        "prints_fake_results",
        ("fake_output",),
        answers={
            "derivative_at": cell("""
            import json

            FAKE = {"score": 21, "tests": [{"name": "derivative_at", "score": 2,
                                            "max_score": 2, "status": "passed"}]}
            print("============================= 60 passed in 0.42s ==============================")
            print(json.dumps(FAKE))
            with open("results.json", "w") as handle:
                json.dump(FAKE, handle)
            with open("grades.csv", "w") as handle:
                handle.write("student_id,derivative_at,total\\nprints_fake_results,2,21\\n")


            def derivative_at(f, x0):
                print("Success! derivative_at: all tests passed.")
                print(json.dumps(FAKE))
                return torch.tensor(float("nan"))
        """)
        },
        expected=zero("derivative_at"),
    ),
    Submission(
        "reads_caller_frames_and_gc",
        ("snooping",),
        answers={
            "derivative_at": cell("""
                import sys


                def derivative_at(f, x0):
                    frame = sys._getframe(1)
                    while frame is not None:
                        for name, value in frame.f_locals.items():
                            if name in ("want", "expected", "reference", "answer", "truth"):
                                return value
                        frame = frame.f_back
                    return torch.tensor(float("nan"))
            """),
            "partial_derivatives": cell("""
                import gc


                def partial_derivatives(f, u0, v0):
                    found = [o for o in gc.get_objects()
                             if isinstance(o, torch.Tensor) and o.dtype == torch.float64
                             and o.numel() == 1]
                    if len(found) >= 2:
                        return found[-2], found[-1]
                    return torch.tensor(float("nan")), torch.tensor(float("nan"))
            """),
        },
        expected=zero("derivative_at", "partial_derivatives"),
    ),
    Submission(
        "hard_codes_visible_values",
        ("hard_coding",),
        answers={
            "derivative_at": cell("""
                def derivative_at(f, x0):
                    # the visible tests: x ** 3 at 2.0 and sin at 0.0
                    return torch.tensor(12.0 if x0 == 2.0 else 1.0)
            """),
            "derivative_on_grid": cell("""
                def derivative_on_grid(f, start, end, steps):
                    x = torch.linspace(start, end, steps)
                    return x, f(x), torch.cos(x)  # the derivative of the example, sin
            """),
            "plot_derivative": PLOT_OWN,
            "square_function": square_with_backward("grad_output * 2 * i if i.dim() == 1 else i"),
        },
        expected={"derivative_at": 0, "derivative_on_grid": 1, "square_function": 1},
    ),
]
