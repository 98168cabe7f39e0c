"""Work whose grade depends on behaving as JupyterLab does: the inline backend closes figures
when a cell ends and in `plt.show()`; the notebook's folder is importable; cells run as
`__main__`; `%config InlineBackend` exists. Right answers earn full marks, and an answer that
is wrong in JupyterLab (an empty figure) loses the points it loses there.

tests/fidelity runs the honest ones in a real kernel and in the sandbox and compares.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.corpus.answers import cell
from tests.corpus.spec import Submission, zero

# plot_derivative with pyplot's state (the current figure), from derivative_on_grid's tensors.
_PYPLOT_STATE = """\
def plot_derivative(f, start, end, steps):
    x, y, dydx = derivative_on_grid(f, start, end, steps)
    plt.plot(x, y, label="function")
    plt.plot(x, dydx, label="derivative")
    plt.xlabel("x")
    plt.legend()
{extra}    return plt.gcf()
"""


def _cell_before_answer(question: str, notebook: str, source: str) -> Callable[[str, dict], None]:
    """A notebook edit: a plain code cell (a student's own) just above an answer cell."""

    def edit(name: str, document: dict) -> None:
        if name != notebook:
            return
        cells = document["cells"]
        index = next(
            i
            for i, c in enumerate(cells)
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == question
        )
        new = {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}
        new["execution_count"] = None
        cells.insert(index, new)

    return edit


JUPYTER = [
    Submission(
        # no plt.figure(): right in Jupyter, where the figures of earlier cells are closed
        "jupyter_pyplot_state_gcf",
        ("honest_noise",),
        answers={"plot_derivative": _PYPLOT_STATE.format(extra="")},
    ),
    Submission(
        # plt.show() closes the figure, so plt.gcf() opens a new, empty one: wrong in Jupyter
        "jupyter_show_then_gcf",
        ("mistake",),
        answers={"plot_derivative": _PYPLOT_STATE.format(extra="    plt.show()\n")},
        expected=zero("plot_derivative"),
    ),
    Submission(
        # a demo call at the end of the cell, drawing on pyplot's current axes
        "jupyter_pyplot_gca_with_demo_call",
        ("honest_noise",),
        answers={
            "plot_derivative": cell("""
                def plot_derivative(f, start, end, steps):
                    x, y, dydx = derivative_on_grid(f, start, end, steps)
                    ax = plt.gca()
                    ax.plot(x.numpy(), y.numpy(), label="function")
                    ax.plot(x.numpy(), dydx.numpy(), label="derivative")
                    ax.set_xlabel("x")
                    ax.legend()
                    return ax.figure


                plot_derivative(torch.sin, -3.0, 3.0, 50)
                plt.title("a first look")
            """)
        },
    ),
    Submission(
        "jupyter_inline_config_and_display",
        ("honest_noise",),
        answers={
            "plot_derivative": "%matplotlib inline\n"
            '%config InlineBackend.figure_format = "retina"\n'
            "from IPython.display import display\n\n\n"
            + cell("""
                def plot_derivative(f, start, end, steps):
                    x, y, dydx = derivative_on_grid(f, start, end, steps)
                    fig, ax = plt.subplots()
                    ax.plot(x.numpy(), y.numpy(), label="function")
                    ax.plot(x.numpy(), dydx.numpy(), label="derivative")
                    ax.set_xlabel("x")
                    ax.legend()
                    return fig


                display(plot_derivative(torch.cos, 0.0, 1.0, 5))
                get_ipython().run_line_magic("who", "")
            """)
        },
    ),
    Submission(
        # the answer lives in a module written by the notebook, then imported
        "jupyter_writefile_module",
        ("honest_noise",),
        answers={"derivative_at": "from calculus_helpers import derivative_at\n"},
        edit=_cell_before_answer(
            "derivative_at",
            "derivatives",
            cell("""
                %%writefile calculus_helpers.py
                import torch


                def derivative_at(f, x0):
                    x = torch.tensor(float(x0), requires_grad=True)
                    f(x).backward()
                    return x.grad
            """),
        ),
    ),
    Submission(
        # a package in a sub-folder of the notebook's folder
        "jupyter_writefile_package",
        ("honest_noise",),
        answers={"partial_derivatives": "from gradients.partials import partial_derivatives\n"},
        edit=_cell_before_answer(
            "partial_derivatives",
            "partial_derivatives",
            cell("""
                import os

                os.makedirs("gradients", exist_ok=True)
                get_ipython().run_cell_magic("writefile", "gradients/partials.py", '''
                import torch


                def partial_derivatives(f, u0, v0):
                    u = torch.tensor(float(u0), requires_grad=True)
                    v = torch.tensor(float(v0), requires_grad=True)
                    f(u, v).backward()
                    return u.grad, v.grad
                ''')
            """),
        ),
    ),
    Submission(
        # pasted from a script: the answers are set under the main guard, true in a notebook
        "jupyter_main_guard_script",
        ("honest_noise",),
        answers={
            "leaf_answers": cell("""
                if __name__ == "__main__":
                    is_leaf = {"a": True, "b": True, "c": False, "d": True, "e": False}
                    has_grad = {"a": True, "b": False, "c": False, "d": False, "e": False}
            """)
        },
    ),
]
