"""Draw the figures of the `derivatives` assignment from real torch computations.

    python scripts/make_images.py              # writes images/derivatives/*.png and copies them
                                               # to source/derivatives/images/ for nbgrader
    python scripts/make_images.py --out DIR --no-copy   # only write DIR/*.png (used by the tests)

Every number, node name and flag in a figure is read from tensors computed here, so a figure
cannot drift from what torch does. The PNGs are deterministic (fixed size and dpi, default
style, no "Software" metadata), so a test regenerates them and compares with the committed ones.
"""

from __future__ import annotations

import argparse
import shutil
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "images" / "derivatives"
SOURCE_IMAGES = ROOT / "source" / "derivatives" / "images"
DPI = 100
LEAF_COLOR = "#b7e4b0"
NODE_COLOR = "#eeeeee"
OP_COLOR = "#d6e4f5"


def _grad_fn_name(t: torch.Tensor) -> str:
    return type(t.grad_fn).__name__ if t.grad_fn is not None else "None"


def _grad_of(t: torch.Tensor) -> torch.Tensor | None:
    """t.grad without the warning torch prints for a non-leaf tensor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return t.grad


def _save(fig: plt.Figure, path: Path) -> None:
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)


def draw_attributes(path: Path) -> None:
    """A table of data, grad, grad_fn, is_leaf, requires_grad of x and y = x ** 2 after backward."""
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2
    y.backward()
    rows = [
        ("data", str(x.data), str(y.data)),
        ("grad", str(_grad_of(x)), str(_grad_of(y))),
        ("grad_fn", _grad_fn_name(x), _grad_fn_name(y)),
        ("is_leaf", str(x.is_leaf), str(y.is_leaf)),
        ("requires_grad", str(x.requires_grad), str(y.requires_grad)),
    ]
    fig, ax = plt.subplots(figsize=(6.4, 2.7))
    ax.axis("off")
    table = ax.table(
        cellText=[list(row) for row in rows],
        colLabels=["attribute", "x (a leaf)", "y = x ** 2"],
        cellLoc="center",
        loc="center",
    )
    table.scale(1, 1.6)
    for (row, col), cell in table.get_celld().items():
        cell.get_text().set_family("monospace")
        if row == 0:
            cell.set_facecolor("#dddddd")
            cell.get_text().set_weight("bold")
        elif col == 1:
            cell.set_facecolor(LEAF_COLOR)
    ax.set_title(
        "x = torch.tensor(2.0, requires_grad=True); y = x ** 2; y.backward()",
        family="monospace",
        fontsize=9,
    )
    _save(fig, path)


def draw_partials(path: Path) -> None:
    """Contours of f(u, v) = u v + u^2 with its gradient, from autograd, as arrows."""

    def f(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return u * v + u**2

    grid_u, grid_v = torch.meshgrid(
        torch.linspace(-2, 2, 101), torch.linspace(-1, 3, 101), indexing="ij"
    )
    arrow_u, arrow_v = torch.meshgrid(
        torch.linspace(-1.75, 1.75, 8), torch.linspace(-0.75, 2.75, 8), indexing="ij"
    )
    u = arrow_u.clone().requires_grad_(True)
    v = arrow_v.clone().requires_grad_(True)
    f(u, v).sum().backward()
    point_u = torch.tensor(1.0, requires_grad=True)
    point_v = torch.tensor(2.0, requires_grad=True)
    f(point_u, point_v).backward()

    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    filled = ax.contourf(
        grid_u.numpy(), grid_v.numpy(), f(grid_u, grid_v).numpy(), levels=20, cmap="viridis"
    )
    fig.colorbar(filled, ax=ax, label="f(u, v) = u v + u²")
    scale = 12.0  # gradient units per unit of the plot, the same for every arrow
    ax.quiver(
        arrow_u.numpy(),
        arrow_v.numpy(),
        u.grad.numpy(),
        v.grad.numpy(),
        color="white",
        angles="xy",
        scale_units="xy",
        scale=scale,
        width=0.004,
    )
    ax.quiver(
        [1.0],
        [2.0],
        [point_u.grad.item()],
        [point_v.grad.item()],
        color="red",
        angles="xy",
        scale_units="xy",
        scale=scale,
        width=0.008,
    )
    ax.plot([1.0], [2.0], "o", color="red")
    ax.annotate(
        f"∇f(1, 2) = ({point_u.grad.item():g}, {point_v.grad.item():g})",
        (1.0, 2.0),
        xytext=(0.55, 2.45),
        color="red",
        fontsize=11,
        weight="bold",
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85},
    )
    ax.set_xlabel("u")
    ax.set_ylabel("v", rotation=0, labelpad=10)  # upright, like the u of the x axis
    ax.set_title("∂f/∂u = v + 2u,   ∂f/∂v = u   (arrows: the gradient, from autograd)")
    fig.tight_layout()
    _save(fig, path)


Node = tuple[float, float, float, float]  # centre x, centre y, width, height (data units)


def _node(ax: plt.Axes, node: Node, text: str, color: str, fontsize: float = 8.5) -> Node:
    x, y, width, height = node
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.04",
            facecolor=color,
            edgecolor="black",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, family="monospace")
    return node


def _edge_point(node: Node, dx: float, dy: float) -> tuple[float, float]:
    """Where the ray from the centre of node in direction (dx, dy) leaves its box."""
    x, y, width, height = node
    limits = [
        (width / 2 + 0.06) / abs(dx) if dx else float("inf"),
        (height / 2 + 0.06) / abs(dy) if dy else float("inf"),
    ]
    t = min(limits)
    return x + t * dx, y + t * dy


def _connect(
    ax: plt.Axes, a: Node, b: Node, *, color: str = "black", style: str = "-", label: str = ""
) -> None:
    """An arrow from the box a to the box b, with an optional label at its middle."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    start, end = _edge_point(a, dx, dy), _edge_point(b, -dx, -dy)
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=13,
            color=color,
            linestyle=style,
            shrinkA=0,
            shrinkB=0,
        )
    )
    if label:
        ax.text(
            (start[0] + end[0]) / 2 + 0.15,
            (start[1] + end[1]) / 2,
            label,
            fontsize=8,
            color=color,
            family="monospace",
            ha="left",
            va="center",
        )


def _values(t: torch.Tensor) -> str:
    return "[" + ", ".join(f"{value:g}" for value in t.detach().reshape(-1).tolist()) + "]"


def draw_chain_rule(path: Path) -> None:
    """Forward and backward pass of L = sum(3 * x ** 2), with the gradients autograd passes."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    z = 3 * y
    loss = z.sum()
    for t in (y, z, loss):
        t.retain_grad()
    loss.backward()

    fig, ax = plt.subplots(figsize=(12, 3.4))
    ax.set_xlim(-1.1, 11.9)
    ax.set_ylim(-1.75, 1.95)
    ax.axis("off")
    tensors = [("x", x), ("y", y), ("3y", z), ("L", loss)]
    ops = [
        f"square\n{_grad_fn_name(y)}",
        f"times 3\n{_grad_fn_name(z)}",
        f"sum\n{_grad_fn_name(loss)}",
    ]
    boxes = []
    for step, (name, t) in enumerate(tensors):
        color = LEAF_COLOR if t.is_leaf else NODE_COLOR
        boxes.append(_node(ax, (3.6 * step, 0.9, 1.6, 0.8), f"{name}\n{_values(t)}", color, 9))
    for step, text in enumerate(ops):
        op = _node(ax, (3.6 * step + 1.8, 0.9, 1.5, 0.8), text, OP_COLOR, 9)
        _connect(ax, boxes[step], op)
        _connect(ax, op, boxes[step + 1])
    for step in range(len(tensors) - 1, 0, -1):
        name, t = tensors[step]
        grad = t.grad if t.grad is not None else torch.ones(())
        start, end = (3.6 * step, -0.2), (3.6 * (step - 1), -0.2)
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=13,
                color="crimson",
                shrinkA=0,
                shrinkB=0,
            )
        )
        ax.text(
            3.6 * step - 1.8,
            -0.55,
            f"grad_output = dL/d{name}\n= {_values(grad)}",
            ha="center",
            va="top",
            fontsize=9,
            color="crimson",
            family="monospace",
        )
    ax.text(
        0.0,
        -1.15,
        f"x.grad = dL/dx\n= {_values(x.grad)}",
        ha="center",
        va="top",
        fontsize=9,
        color="crimson",
        family="monospace",
        weight="bold",
    )
    ax.text(-1.0, 1.75, "forward pass, left to right: the values", fontsize=10)
    ax.text(
        -1.0,
        0.05,
        "backward pass, right to left: what each step receives",
        fontsize=10,
        color="crimson",
    )
    _save(fig, path)


def draw_leaf_graph(path: Path) -> None:
    """The graph of the leaf example in custom_backward.ipynb, with leaves and .grad marked."""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    k = torch.tensor([0.5, -1.0])
    h = torch.exp(w) + k
    h.retain_grad()
    z = h.detach()
    loss = (h * z).sum()
    loss.backward()
    product_fn = loss.grad_fn.next_functions[0][0]  # MulBackward0: h * z
    exp_fn = h.grad_fn.next_functions[0][0]  # ExpBackward0: torch.exp(w)

    fig, ax = plt.subplots(figsize=(13, 4.6))
    ax.set_xlim(-1.3, 13.9)
    ax.set_ylim(-2.3, 3.0)
    ax.axis("off")

    def tensor_node(x: float, y: float, name: str, t: torch.Tensor) -> Node:
        grad = ".grad ✓" if _grad_of(t) is not None else ".grad None"
        text = f"{name}\nis_leaf={t.is_leaf}\nrequires_grad={t.requires_grad}\n{grad}"
        return _node(ax, (x, y, 2.2, 1.2), text, LEAF_COLOR if t.is_leaf else NODE_COLOR)

    def op_node(x: float, y: float, name: str) -> Node:
        return _node(ax, (x, y, 1.5, 0.5), name, OP_COLOR)

    w_box, k_box = tensor_node(0.0, 2.2, "w", w), tensor_node(0.0, 0.0, "k", k)
    h_box = tensor_node(6.3, 1.1, "h (retain_grad)", h)
    z_box = tensor_node(6.3, -1.0, "z = h.detach()", z)
    loss_box = tensor_node(12.6, 1.1, "loss", loss)
    exp_box = op_node(2.4, 2.2, type(exp_fn).__name__)
    add_box = op_node(4.0, 1.1, _grad_fn_name(h))
    mul_box = op_node(8.7, 1.1, type(product_fn).__name__)
    sum_box = op_node(10.4, 1.1, _grad_fn_name(loss))
    no_grad = {"color": "grey", "style": ":"}
    for a, b, style in [
        (w_box, exp_box, {}),
        (exp_box, add_box, {}),
        (k_box, add_box, no_grad),
        (add_box, h_box, {}),
        (h_box, mul_box, {}),
        (z_box, mul_box, no_grad),
        (mul_box, sum_box, {}),
        (sum_box, loss_box, {}),
    ]:
        _connect(ax, a, b, **style)
    _connect(ax, h_box, z_box, label="detach()", **no_grad)
    ax.text(
        -1.2,
        -2.15,
        "green: leaf tensors     blue: grad_fn nodes     dotted grey: no "
        "gradient flows back along this edge     .grad ✓: set after loss.backward()",
        fontsize=9,
    )
    _save(fig, path)


FIGURES = {
    "attributes.png": draw_attributes,
    "partials.png": draw_partials,
    "chain_rule.png": draw_chain_rule,
    "leaf_graph.png": draw_leaf_graph,
}


def make_images(*, out: Path = IMAGES, copy_to: Path | None = SOURCE_IMAGES) -> list[Path]:
    """Write every figure into out (and a copy into copy_to); return the written paths."""
    plt.rcdefaults()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        draw(out / name)
        written.append(out / name)
    if copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
        for path in written:
            shutil.copyfile(path, copy_to / path.name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder for the PNG files")
    parser.add_argument(
        "--no-copy",
        action="store_true",
        help=f"do not copy the PNGs to {SOURCE_IMAGES.relative_to(ROOT)}",
    )
    args = parser.parse_args()
    for path in make_images(out=args.out, copy_to=None if args.no_copy else SOURCE_IMAGES):
        print(path)


if __name__ == "__main__":
    main()
