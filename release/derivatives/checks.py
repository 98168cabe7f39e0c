"""The helpers of the visible tests, shared by the three notebooks of this assignment.

Each `check_*` function calls your answer on one example and raises an AssertionError that
says what was expected and what the likely mistake is. The notebooks' test cells import them
from this file, which must stay next to the notebooks. Editing it changes only what *you* see:
your work is graded by the instructor's own tests.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure


def quietly(function, *args):
    """Call function(*args) with warnings silenced: a warning from your code is not a mistake."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


def expect_close(got, want, what, hint):
    """Compare a tensor from your code with the float64 tensor want, like torch.allclose."""
    assert isinstance(got, torch.Tensor), f"{what} should be a tensor, not a {type(got).__name__}."
    assert tuple(got.shape) == tuple(want.shape), (
        f"{what} should have shape {tuple(want.shape)}, not {tuple(got.shape)}. {hint}")
    got = got.detach().double()
    bad = ~torch.isclose(got, want, rtol=1e-4, atol=1e-5)
    if bad.any():
        i = tuple(bad.nonzero()[0].tolist())
        raise AssertionError(
            f"{what} is wrong at {int(bad.sum())} of {bad.numel()} positions; at index {i} "
            f"expected {want[i].item():.6g}, got {got[i].item():.6g}. {hint}")


def expect_tuple(result, size, call, names):
    """result must be a tuple (or list) of `size` values."""
    assert isinstance(result, (tuple, list)) and len(result) == size, (
        f"{call} should return a tuple {names}, not {result!r:.80}.")


# --- derivatives.ipynb ---


def check_derivative_at(derivative_at, f, x0, want, name):
    """Call derivative_at(f, x0) twice; both answers must be f'(x0) == want."""
    for call in ("first", "second"):
        got = quietly(derivative_at, f, x0)
        assert isinstance(got, torch.Tensor), (
            f"derivative_at({name}, {x0}) should return a tensor (such as x.grad), "
            f"not a {type(got).__name__}.")
        assert got.numel() == 1, (
            f"derivative_at({name}, {x0}) should return a tensor with one element, "
            f"not one of shape {tuple(got.shape)}.")
        value = got.detach().double().reshape(())
        if not torch.allclose(value, torch.tensor(want, dtype=torch.float64),
                              rtol=1e-4, atol=1e-5):
            hint = ("The first call was right, so the gradient piled up in a tensor kept between "
                    "calls: make a fresh tensor with requires_grad=True in every call."
                    if call == "second" else
                    "Make x0 a tensor with requires_grad=True, call f(x).backward() and "
                    "return x.grad.")
            raise AssertionError(f"derivative_at({name}, {x0}), {call} call: expected "
                                 f"{want:.6g}, got {value.item():.6g}. {hint}")


def check_grid(derivative_on_grid, f, fprime, start, end, steps, name):
    """derivative_on_grid(f, ...) must give linspace, f and its derivative fprime."""
    call = f"derivative_on_grid({name}, {start}, {end}, {steps})"
    result = quietly(derivative_on_grid, f, start, end, steps)
    expect_tuple(result, 3, call, "(x, y, dydx)")
    x, y, dydx = result
    want_x = torch.linspace(start, end, steps).double()
    expect_close(x, want_x, f"x from {call}", "x should be torch.linspace(start, end, steps).")
    expect_close(y, f(want_x), f"y from {call}", "y should be f(x).")
    expect_close(dydx, fprime(want_x), f"dydx from {call}",
                 "dydx should be the derivative at each point, x.grad after the sum trick.")


def check_detached(derivative_on_grid, f, start, end, steps, name):
    """None of x, y, dydx from derivative_on_grid may require grad."""
    call = f"derivative_on_grid({name}, {start}, {end}, {steps})"
    result = quietly(derivative_on_grid, f, start, end, steps)
    expect_tuple(result, 3, call, "(x, y, dydx)")
    for label, t in zip(("x", "y", "dydx"), result):
        assert isinstance(t, torch.Tensor), (
            f"{label} from {call} should be a tensor, not a {type(t).__name__}.")
        assert not t.requires_grad, (
            f"{label} from {call} still requires grad, so {label}.numpy() raises an error: "
            f"return {label}.detach() instead.")


def _plotted_figure(plot_derivative, f, start, end, steps, call):
    fig = quietly(plot_derivative, f, start, end, steps)
    assert isinstance(fig, Figure), (
        f"{call} should return a matplotlib Figure (the fig of fig, ax = plt.subplots()), "
        f"not a {type(fig).__name__}.")
    assert len(fig.axes) == 1, f"the figure should have one Axes, not {len(fig.axes)}."
    return fig


def check_plot_lines(plot_derivative, f, fprime, start, end, steps, name):
    """The lines labelled function and derivative must show f and fprime at linspace points."""
    call = f"plot_derivative({name}, {start}, {end}, {steps})"
    try:
        ax = _plotted_figure(plot_derivative, f, start, end, steps, call).axes[0]
        lines = {line.get_label(): line for line in ax.get_lines()}
        if ax.get_legend() is not None:  # ax.legend(["function", "derivative"]) names in order
            for text, line in zip(ax.get_legend().get_texts(), ax.get_lines()):
                lines.setdefault(text.get_text(), line)
        x = torch.linspace(start, end, steps).double()
        for label, want in [("function", f(x)), ("derivative", fprime(x))]:
            assert label in lines, (f"{call}: no line is labelled {label!r} (the labels are "
                                    f"{sorted(lines)}); pass label={label!r} to ax.plot.")
            got_x = np.asarray(lines[label].get_xdata(), dtype=np.float64)
            got_y = np.asarray(lines[label].get_ydata(), dtype=np.float64)
            assert got_x.shape == (steps,) and np.allclose(got_x, x.numpy(), 1e-4, 1e-5), (
                f"{call}: the {label!r} line should be drawn at the points "
                f"x = torch.linspace(start, end, steps).")
            assert got_y.shape == (steps,) and np.allclose(got_y, want.numpy(), 1e-4, 1e-5), (
                f"{call}: the {label!r} line should show "
                + ("f(x)." if label == "function" else "the derivative f'(x)."))
    finally:
        plt.close("all")


def check_plot_labels(plot_derivative, f, start, end, steps, name):
    """The one Axes must have the x-axis label "x" (or "$x$") and a legend."""
    call = f"plot_derivative({name}, {start}, {end}, {steps})"
    try:
        fig = _plotted_figure(plot_derivative, f, start, end, steps, call)
        ax = fig.axes[0]
        assert ax.get_xlabel().strip().strip("$").strip() == "x", (
            f"the x-axis label should be 'x', not {ax.get_xlabel()!r}: call ax.set_xlabel('x').")
        legend = ax.get_legend() or (fig.legends[0] if fig.legends else None)
        assert legend is not None, (
            "the Axes has no legend: call ax.legend() after drawing the labelled lines.")
    finally:
        plt.close("all")


# --- partial_derivatives.ipynb ---


def check_partials(partial_derivatives, f, u0, v0, want, name):
    """Call partial_derivatives(f, u0, v0) twice; both must give want == (df/du, df/dv)."""
    call = f"partial_derivatives({name}, {u0}, {v0})"
    want = torch.tensor(want, dtype=torch.float64)
    for turn in ("first", "second"):
        result = quietly(partial_derivatives, f, u0, v0)
        expect_tuple(result, 2, call, "(dfdu, dfdv)")
        for label, t in zip(("dfdu", "dfdv"), result):
            assert isinstance(t, torch.Tensor), (
                f"{label} from {call} should be a tensor (such as u.grad), "
                f"not a {type(t).__name__}.")
            assert t.numel() == 1, (f"{label} from {call} should be a tensor with one element, "
                                    f"not one of shape {tuple(t.shape)}.")
        got = torch.stack([t.detach().double().reshape(()) for t in result])
        if not torch.allclose(got, want, rtol=1e-4, atol=1e-5):
            if torch.allclose(got.flip(0), want, rtol=1e-4, atol=1e-5):
                hint = "The two values are swapped: return df/du first, then df/dv."
            elif turn == "second":
                hint = ("The first call was right, so gradients piled up between calls: make "
                        "fresh tensors with requires_grad=True in every call.")
            else:
                hint = ("Make u0 and v0 tensors with requires_grad=True, call "
                        "f(u, v).backward() and return (u.grad, v.grad).")
            raise AssertionError(
                f"{call}, {turn} call: expected (dfdu, dfdv) = ({want[0]:.6g}, {want[1]:.6g}), "
                f"got ({got[0]:.6g}, {got[1]:.6g}). {hint}")


def check_grid_partials(partials_on_grid, f, u, v, want_u, want_v, name):
    """partials_on_grid(f, u, v) must give (want_u, want_v), float64 tensors shaped like u."""
    call = f"partials_on_grid({name}, u, v)"
    result = quietly(partials_on_grid, f, u, v)
    expect_tuple(result, 2, call, "(dfdu, dfdv)")
    dfdu, dfdv = result
    if (isinstance(dfdu, torch.Tensor) and isinstance(dfdv, torch.Tensor)
            and dfdu.shape == dfdv.shape == want_u.shape
            and torch.allclose(dfdu.detach().double(), want_v, rtol=1e-4, atol=1e-5)
            and torch.allclose(dfdv.detach().double(), want_u, rtol=1e-4, atol=1e-5)
            and not torch.allclose(want_u, want_v, rtol=1e-4, atol=1e-5)):
        raise AssertionError(f"{call}: dfdu and dfdv are swapped: return df/du first.")
    hint = "Use the sum trick on copies of u and v that require grad."
    expect_close(dfdu, want_u, f"dfdu from {call}", hint)
    expect_close(dfdv, want_v, f"dfdv from {call}", hint)


def check_inputs_untouched(partials_on_grid, f, u, v, name):
    """partials_on_grid(f, u, v) must leave u and v as they were."""
    call = f"partials_on_grid({name}, u, v)"
    before = {"u": u.clone(), "v": v.clone()}
    quietly(partials_on_grid, f, u, v)
    for label, t in [("u", u), ("v", v)]:
        assert not t.requires_grad, (
            f"{call} switched on requires_grad of the caller's {label}. Work on a copy: "
            f"{label}.detach().clone().requires_grad_().")
        assert t.grad is None, f"{call} left a .grad on the caller's {label}; work on a copy."
        assert torch.equal(t, before[label]), f"{call} changed the values of the caller's {label}."


# --- custom_backward.ipynb ---


def expect_function(cls, name):
    """cls must be a subclass of torch.autograd.Function."""
    assert isinstance(cls, type) and issubclass(cls, torch.autograd.Function), (
        f"{name} should be a class that subclasses torch.autograd.Function.")


def check_square_forward(Square, i, name):
    """Square.apply(i) must be i ** 2 and leave i unchanged."""
    expect_function(Square, "Square")
    before = i.clone()
    out = quietly(Square.apply, i)
    expect_close(out, before.double() ** 2, f"Square.apply({name})",
                 "forward should return i ** 2.")
    assert torch.equal(i, before), f"Square.apply({name}) changed its input; return a new tensor."


def check_square_backward(Square, i, g, name):
    """Square.apply(i).backward(g) must give i.grad == 2 * i * g, through Square's backward."""
    expect_function(Square, "Square")
    i = i.detach().clone().requires_grad_(True)
    y = quietly(Square.apply, i)
    assert type(y.grad_fn) is Square._backward_cls, (
        f"the output of Square.apply should come from Square's own backward node, not from "
        f"{type(y.grad_fn).__name__}: compute it in forward and run Square.apply.")
    quietly(y.backward, g)
    assert i.grad is not None, "no gradient reached the input: backward should return dL/di."
    want = 2 * i.detach().double() * g.double()
    ignored = 2 * i.detach().double()
    if (i.grad.shape == want.shape and not torch.allclose(want, ignored)
            and torch.allclose(i.grad.double(), ignored, rtol=1e-4, atol=1e-5)):
        raise AssertionError(
            f"Square's backward ignores grad_output: with upstream gradient {name} it returned "
            "2 * i. By the chain rule, dL/di = grad_output * 2 * i.")
    expect_close(i.grad, want, f"the gradient of Square with upstream gradient {name}",
                 "backward should return grad_output * 2 * i.")


def _apply_linear(LinearFunction, X, W, b):
    return LinearFunction.apply(X, W) if b is None else LinearFunction.apply(X, W, b)


def check_linear_forward(LinearFunction, X, W, b, name):
    """LinearFunction.apply(X, W[, b]) must be X @ W.T (+ b)."""
    expect_function(LinearFunction, "LinearFunction")
    call = f"LinearFunction.apply({name})"
    try:
        Y = quietly(_apply_linear, LinearFunction, X, W, b)
    except Exception as err:
        if b is None and not isinstance(err, NotImplementedError):
            raise AssertionError(f"{call} raised {type(err).__name__}: {err}. When bias is "
                                 "None, forward should return input @ weight.T.") from err
        raise
    want = X.double() @ W.double().T + (0 if b is None else b.double())
    expect_close(Y, want, f"the output of {call}",
                 "forward should return input @ weight.T + bias.")


LINEAR_HINTS = {"input": "dL/dX = G @ W, of shape (batch, in).",
                "weight": "dL/dW = G.T @ X, of shape (out, in).",
                "bias": "dL/db = G.sum(0), of shape (out,)."}


def check_linear_backward(LinearFunction, X, W, b, G, name):
    """The gradients through LinearFunction must match plain autograd in float64."""
    expect_function(LinearFunction, "LinearFunction")
    call = f"LinearFunction.apply({name})"
    leaves = [None if t is None else t.detach().clone().requires_grad_() for t in (X, W, b)]
    Y = quietly(_apply_linear, LinearFunction, *leaves)
    assert type(Y.grad_fn) is LinearFunction._backward_cls, (
        f"the output of {call} should come from LinearFunction's own backward node, not "
        f"from {type(Y.grad_fn).__name__}: compute it in forward, run LinearFunction.apply.")
    try:
        quietly(Y.backward, G)
    except RuntimeError as err:
        hint = " With bias=None, backward must return None as grad_bias." if b is None else ""
        raise AssertionError(f"backward of {call} raised RuntimeError: {err}.{hint}") from err
    refs = [None if t is None else t.detach().double().requires_grad_() for t in (X, W, b)]
    (refs[0] @ refs[1].T + (0 if b is None else refs[2])).backward(G.double())
    for label, leaf, ref in zip(("input", "weight", "bias"), leaves, refs):
        if ref is None:
            continue
        assert leaf.grad is not None, (f"{call}: no gradient reached {label}; backward should "
                                       "return (grad_input, grad_weight, grad_bias) in order.")
        expect_close(leaf.grad, ref.grad, f"the gradient of {label} in {call}", LINEAR_HINTS[label])


def check_answer_dict(answers, name):
    """answers must map each of "a" to "e" to True or False."""
    assert isinstance(answers, dict), f"{name} should be a dict, not a {type(answers).__name__}."
    assert sorted(answers, key=str) == ["a", "b", "c", "d", "e"], (
        f"{name} should have the keys 'a' to 'e', not {sorted(answers, key=str)}.")
    for key, value in answers.items():
        assert isinstance(value, bool), (
            f"{name}[{key!r}] should be True or False, not {value!r}: replace each None.")


def random_tensors(seed, *shapes):
    """Tensors of normal random numbers with the given shapes, the same for the same seed."""
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(*shape, generator=gen) for shape in shapes]
