"""Crashes, exits, hangs and resource abuse: each costs the question it happens in, and only
that question; the other answers of the same notebook are still graded."""

from __future__ import annotations

from tests.corpus.answers import PLOT_OWN, cell, linear_with
from tests.corpus.spec import REFERENCE, Submission, zero

FAULTS = [
    Submission(
        "raises_in_answer",
        ("raises",),
        answers={
            "derivative_at": cell("""
            def derivative_at(f, x0):
                raise ValueError("I do not know how to do this yet")
        """)
        },
        expected=zero("derivative_at"),
        feedback={"derivative_at": "ValueError"},
    ),
    Submission(
        "not_implemented_left",
        ("raises",),
        answers={
            "partials_on_grid": cell("""
            def partials_on_grid(f, u, v):
                # YOUR CODE HERE
                raise NotImplementedError()
        """)
        },
        expected=zero("partials_on_grid"),
        feedback={"partials_on_grid": "stub"},
    ),
    Submission(
        "syntax_error_cell",
        ("raises",),
        answers={
            "plot_derivative": cell("""
            def plot_derivative(f, start, end, steps)
                fig, ax = plt.subplots()
                return fig
        """)
        },
        expected=zero("plot_derivative"),
        feedback={"plot_derivative": "SyntaxError"},
    ),
    Submission(
        "indentation_error_cell",
        ("raises",),
        answers={
            "linear_function": linear_with(
                "        ctx.save_for_backward(input, weight, bias)\n"
                "          return input @ weight.T",
                "        return None, None, None",
            )
        },
        expected=zero("linear_function"),
        feedback={"linear_function": "IndentationError"},
    ),
    Submission(
        "sys_exit_top_level",
        ("exits",),
        answers={"derivative_at": "import sys\n\nsys.exit(0)\n" + REFERENCE},
        expected=zero("derivative_at"),
    ),
    Submission(
        "raise_systemexit_top_level",
        ("exits",),
        answers={"square_function": "raise SystemExit('done')\n" + REFERENCE},
        expected=zero("square_function"),
    ),
    Submission(
        "exit_builtin_top_level",
        ("exits",),
        answers={"partial_derivatives": "exit()\n"},
        expected=zero("partial_derivatives"),
    ),
    Submission(
        "exits_in_functions",
        ("exits",),
        answers={
            "derivative_on_grid": cell("""
                import sys


                def derivative_on_grid(f, start, end, steps):
                    sys.exit(0)
            """),
            "plot_derivative": PLOT_OWN,
            "partial_derivatives": cell("""
                def partial_derivatives(f, u0, v0):
                    exit()  # IPython's exit: a no-op inside a function, so this returns None
            """),
            "linear_function": linear_with(
                "        raise SystemExit(0)",
                "        raise SystemExit(0)",
            ),
        },
        expected=zero("derivative_on_grid", "partial_derivatives", "linear_function"),
    ),
    Submission(
        "os_exit_top_level",
        ("process_death",),
        answers={"derivative_at": "import os\n\nos._exit(0)\n" + REFERENCE},
        expected=zero("derivative_at"),
    ),
    Submission(
        "os_exit_in_function",
        ("process_death",),
        answers={
            "partial_derivatives": cell("""
            import os


            def partial_derivatives(f, u0, v0):
                os._exit(0)
        """)
        },
        expected=zero("partial_derivatives"),
    ),
    Submission(
        "segfault_in_function",
        ("process_death",),
        answers={
            "derivative_on_grid": cell("""
                import ctypes


                def derivative_on_grid(f, start, end, steps):
                    return ctypes.string_at(0)
            """),
            "plot_derivative": PLOT_OWN,
        },
        expected=zero("derivative_on_grid"),
    ),
    Submission(
        "segfault_top_level",
        ("process_death",),
        answers={"leaf_answers": "import ctypes\n\nctypes.string_at(0)\n" + REFERENCE},
        expected=zero("leaf_answers"),
    ),
    Submission(
        "abort_in_backward",
        ("process_death",),
        answers={
            "square_function": cell("""
            import os


            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    return i ** 2

                @staticmethod
                def backward(ctx, grad_output):
                    os.abort()
        """)
        },
        expected={"square_function": 1},
    ),
    Submission(
        "memory_hog_in_function",
        ("resources",),
        answers={
            "derivative_at": cell("""
                def derivative_at(f, x0):
                    big = torch.ones(50 * 1024**3 // 4)  # 50 GB
                    return big[:1]
            """),
            "partials_on_grid": cell("""
                def partials_on_grid(f, u, v):
                    chunks = []
                    while True:  # until the memory runs out
                        chunks.append(bytearray(256 * 1024**2))
            """),
        },
        expected=zero("derivative_at", "partials_on_grid"),
    ),
    Submission(
        "memory_hog_top_level",
        ("resources",),
        answers={"linear_function": "hog = bytearray(50 * 1024**3)\n" + REFERENCE},
        expected=zero("linear_function"),
    ),
    Submission(
        "infinite_loop_top_level",
        ("hangs",),
        answers={"plot_derivative": "while True:\n    pass\n" + REFERENCE},
        expected=zero("plot_derivative"),
    ),
    Submission(
        "infinite_loop_in_function",
        ("hangs",),
        answers={
            "partial_derivatives": cell("""
            def partial_derivatives(f, u0, v0):
                while True:
                    pass
        """)
        },
        expected=zero("partial_derivatives"),
    ),
    Submission(
        "loop_ignores_sigint",
        ("hangs",),
        answers={
            "square_function": cell("""
            import signal
            import time


            class Square(torch.autograd.Function):
                @staticmethod
                def forward(ctx, i):
                    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGHUP):
                        signal.signal(sig, signal.SIG_IGN)
                    while True:
                        try:
                            time.sleep(0.1)
                        except BaseException:
                            pass

                @staticmethod
                def backward(ctx, grad_output):
                    return grad_output
        """)
        },
        expected=zero("square_function"),
    ),
    Submission(
        "fork_bomb_in_function",
        ("resources",),
        answers={
            "derivative_at": cell("""
            import os
            import time


            def derivative_at(f, x0):
                for _ in range(10):  # at most 1024 processes, if nothing stops it first
                    os.fork()
                time.sleep(60)
        """)
        },
        expected=zero("derivative_at"),
    ),
    Submission(
        "huge_output",
        ("resources",),
        answers={
            # a million lines in one write, then many small writes (kept quick: --timeout 5)
            "derivative_at": 'print("\\n".join(str(n) for n in range(1_000_000)))\n'
            "for n in range(100_000):\n    print(n)\n" + REFERENCE,
            "derivative_on_grid": cell("""
                import sys


                def derivative_on_grid(f, start, end, steps):
                    for n in range(20_000):
                        print("line", n)
                        print("err", n, file=sys.stderr)
                    x = torch.linspace(start, end, steps, requires_grad=True)
                    y = f(x)
                    y.sum().backward()
                    return x.detach(), y.detach(), x.grad
            """),
        },
    ),
    Submission(
        "megabyte_lines",
        ("resources",),
        answers={
            "partial_derivatives": 'print("x" * 2**20)\n' + REFERENCE,
            "partials_on_grid": cell("""
                import sys


                def partials_on_grid(f, u, v):
                    print("y" * 2**20)
                    sys.stderr.write("z" * 2**20)
                    u = u.detach().clone().requires_grad_(True)
                    v = v.detach().clone().requires_grad_(True)
                    f(u, v).sum().backward()
                    return u.grad, v.grad
            """),
            "leaf_answers": REFERENCE + '\nraise ValueError("w" * 2**20)\n',
        },
    ),
    Submission(
        "huge_files",
        ("resources",),
        answers={
            "square_function": cell("""
            import os

            WROTE = 0
            try:
                with open("big.bin", "wb") as handle:  # in the sandbox's own folder
                    for _ in range(200):
                        handle.write(b"\\0" * 2**20)
                        WROTE += 2**20
            except OSError:
                pass
            for n in range(2000):  # many small files
                try:
                    with open(f"small-{n}.txt", "w") as handle:
                        handle.write("x")
                except OSError:
                    break
        """)
            + REFERENCE
        },
    ),
]
