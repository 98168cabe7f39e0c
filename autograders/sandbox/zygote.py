"""The warm process: imports torch, matplotlib and IPython once, then forks one child per
notebook on the grader's request.

Started by the grader as `python -I -c ...` with the control socket's descriptor as argument.
It imports only `autograders.sandbox` modules: a fork of it holds no rubric, no reference code
and no expected value. Each child is the first process of a new PID namespace, so when the
grader kills it every process it started dies with it, even one that called `setsid`.

Per spawn request:  zygote --fork--> keeper (outside the namespace, reports the child's pid and
waits for it) --fork--> child (PID 1 of the namespace; confines itself, then runs `child.serve`).
"""

from __future__ import annotations

import os
import signal
import socket

from autograders.sandbox import child, confine, namespaces, protocol
from autograders.sandbox.limits import Limits
from autograders.sandbox.shell import make_shell


def main(control_fd: int) -> None:
    control = socket.socket(fileno=control_fd)
    config = protocol.receive(control)
    shell = warm_up(config)
    network = namespaces.enter_network_namespace()
    protocol.send(control, {"event": "ready", "network": network, "pid": os.getpid()})
    while True:
        request = protocol.receive(control)
        if request is None or request.get("op") == "exit":
            return
        grader_end, child_end = socket.socketpair()
        keeper = os.fork()
        if keeper == 0:
            control.close()
            grader_end.close()
            run_keeper(child_end, shell, config, request)
        child_end.close()
        socket.send_fds(control, [b"spawned"], [grader_end.fileno()])
        grader_end.close()
        reap_keepers()


def warm_up(config: dict):
    """Import what students use, so each child starts in milliseconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import torch
    import torch.func  # noqa: F401
    import torch.nn.functional  # noqa: F401

    torch.set_num_threads(1)  # one core per child: the grader runs several children at once
    return make_shell(config["ipython_dir"])


def run_keeper(child_end: socket.socket, shell, config: dict, request: dict) -> None:
    os.setsid()  # out of the zygote's process group, so its signals are not ours
    isolated = namespaces.new_pid_namespace()
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_write)
        os.read(go_read, 1)  # wait until the keeper has told the grader our pid
        run_child(child_end, shell, config, request)
    os.close(go_read)
    protocol.send(child_end, {"event": "started", "pid": pid, "pid_namespace": isolated})
    os.write(go_write, b"x")
    child_end.close()
    os.waitpid(pid, 0)
    os._exit(0)


def run_child(sock: socket.socket, shell, config: dict, request: dict) -> None:
    try:
        workdir = request["workdir"]
        prepare_environment(workdir)
        warnings = confine.confine(
            workdir=workdir,
            read_only=config["read_only"],
            limits=Limits(**config["limits"]),
            cgroup_procs=request.get("cgroup_procs"),
        )
        protocol.send(sock, {"event": "confined", "warnings": warnings})
        child.serve(sock, shell)
    finally:
        os._exit(0)


def prepare_environment(workdir: str) -> None:
    """A fresh home, IPython directory and temporary directory inside the child's workdir."""
    import tempfile

    for sub in ("tmp", ".ipython"):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)
    os.environ.update(HOME=workdir, TMPDIR=os.path.join(workdir, "tmp"),
                      IPYTHONDIR=os.path.join(workdir, ".ipython"), MPLBACKEND="Agg")
    tempfile.tempdir = os.path.join(workdir, "tmp")
    os.chdir(workdir)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # C-level output and input: nowhere; Python-level output is captured
        os.dup2(null, fd)
    os.close(null)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def reap_keepers() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


