"""The warm processes: torch, matplotlib and IPython imported once, then one child forked per
notebook on the grader's request.

Started by the grader as `python -I -c ...` with one control socket per worker slot. It imports
only `autograders.sandbox` modules, so a fork of it holds no rubric, no reference code and no
expected value. After warming up it forks one server per slot (sharing the warm pages); each
server joins its slot's cgroup, so the children it forks are born there.

Before anything else (any thread), the warm process leaves the network: in a network namespace
as root, else in a user namespace of its own with one, which also lets an ordinary user's
grader make the PID and mount namespaces below (see `namespaces`).

Each child is made PID 1 of a new PID namespace (where the kernel allows it), so when the
grader kills it every process it started dies with it, even one that called `setsid`. Before
any student code it mounts, in a mount namespace of its own, a size-limited working folder and
a /proc that shows only its own processes; then it closes every descriptor but its channel and
0, 1, 2 (on /dev/null), and confines itself (see `spawner.run_child`).

A slot's server also forks prefix holders on request (see `holder`): each runs a release's
unchanged leading cells once, then forks the children of the notebooks that begin with them,
set up and confined in the same way.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
from typing import cast

from autograders.sandbox import protocol

# Only stdlib-based modules at import: torch, IPython and what needs them (`child`, `shell`)
# come in `warm_up`, after `main` has entered its namespaces.
from autograders.sandbox.child import huge_pages, namespaces
from autograders.sandbox.child.forking import PR_SET_CHILD_SUBREAPER, reap_children
from autograders.sandbox.child.holder import fork_holder
from autograders.sandbox.child.landlock import prctl
from autograders.sandbox.child.spawner import Server, requested_origin, serve_requests
from autograders.sandbox.messages import Config, HolderRequest, Ready


def main(*control_fds: int) -> None:
    # First, while this process has a single thread: the kernel refuses a new user namespace
    # to a threaded process, and importing torch or starting IPython may start threads.
    network = namespaces.enter_network_namespace()
    controls = [socket.socket(fileno=fd) for fd in control_fds]
    received = protocol.receive(controls[0])
    if received is None:
        raise SystemExit("the grader closed the control socket before sending the configuration")
    config = cast(Config, received)  # from the grader itself, before any student code runs
    shell = warm_up(config)
    if len(controls) == 1:
        serve_slot(controls[0], shell, config, network, config["cgroups"][0])
        return
    for slot, control in enumerate(controls):
        if os.fork() == 0:
            for other in controls:
                if other is not control:
                    other.close()
            serve_slot(control, shell, config, network, config["cgroups"][slot])
            os._exit(0)
    for control in controls:
        control.close()
    while True:  # until every slot's server has ended
        try:
            os.wait()
        except ChildProcessError:
            return


def serve_slot(
    control: socket.socket, shell, config: Config, network: str, cgroup_procs: list[str]
) -> None:
    """Fork a confined child for each spawn request, and a prefix holder (`holder`) for
    each holder request, until told to exit."""
    for procs in cgroup_procs:
        with open(procs, "w") as handle:
            handle.write("0")  # this process; its children are born in the slot's cgroup
    protocol.send(control, Ready(event="ready", network=network, pid=os.getpid()))
    signal.signal(signal.SIGCHLD, lambda *_: reap_children())  # a killed child is no zombie
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # children forked through a helper stay ours to reap
    server = Server(shell, config, network, bool(cgroup_procs), origin=requested_origin)

    def make_holder(control: socket.socket, request: dict) -> None:
        fork_holder(control, server, cast(HolderRequest, request))  # the grader's request

    serve_requests(control, server, handlers={"holder": make_holder})


# Typical notebook work, run once before any fork: lazy initialisation in torch, matplotlib and
# IPython then happens here, not again in every child.
WARM_UP_CELL = """
import torch, matplotlib.pyplot as plt
x = torch.linspace(-1.0, 1.0, 5, requires_grad=True)
(torch.sin(x) * x).sum().backward()
torch.autograd.grad((x ** 2).sum(), x)
torch.func.grad(lambda t: (t ** 2).sum())(x.detach())
class _Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return i ** 2
    @staticmethod
    def backward(ctx, grad_output):
        (i,) = ctx.saved_tensors
        return 2 * i * grad_output
_Square.apply(x).sum().backward()
fig, ax = plt.subplots()
ax.plot(x.detach().numpy(), x.grad.numpy(), label="derivative")
ax.set_xlabel("x")
ax.legend()
fig.canvas.draw()
plt.close("all")
"""


def warm_up(config: Config):
    """Import what students use, so each child starts in milliseconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import torch
    import torch.func  # noqa: F401
    import torch.nn.functional  # noqa: F401
    from IPython.external import pickleshare  # noqa: F401  (each child's `shell.db`)

    from autograders.sandbox.child import serve  # noqa: F401  (torch, numpy, matplotlib: warm them)
    from autograders.sandbox.child.shell import make_shell

    torch.set_num_threads(1)  # one core per child: the grader runs several children at once
    shell = make_shell(config["ipython_dir"])
    shell.run_cell(WARM_UP_CELL, store_history=False)
    shell.user_ns.clear()
    shell.init_user_ns()
    # Drawing text opened font files, kept open by matplotlib's font cache: a child would
    # inherit them (and close them, see `confine.close_inherited_descriptors`, under fonts
    # still in use). Children reopen the few fonts they draw with.
    matplotlib.font_manager._get_font.cache_clear()  # type: ignore[attr-defined]  # private
    gc.collect()
    gc.freeze()  # children inherit these objects; a collection in a child need not touch them
    huge_pages.collapse_anonymous_memory()  # cheaper forks and exits (see `huge_pages`)
    return shell
