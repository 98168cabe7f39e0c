"""Child side: answer spawn requests by forking a confined child, in a slot's server or in a
prefix holder (`holder`). Standard library only at import, like `zygote`.

A child's working folder starts empty, or as a copy of a folder (`Origin`): the release folder
the grader names, or, for a child of a holder, the holder's own working folder after the
release's leading cells ran there (what JupyterLab would show the student at that point: the
release's files and what those cells wrote). The child then stands where the holder stood, and
`sys.path` entries into the holder's folder lead into the child's own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from autograders.sandbox import protocol
from autograders.sandbox.child import confine, namespaces
from autograders.sandbox.child.forking import fork_child, reap_children
from autograders.sandbox.limits import Limits
from autograders.sandbox.messages import Config, Confined, SpawnFailed, SpawnRequest, Started


@dataclass(frozen=True)
class Origin:
    """What a child's working folder starts as: a copy of `folder`, entered at `cwd` (an
    absolute path; inside `folder` it is taken to the same place in the copy)."""

    folder: str
    cwd: str


@dataclass(frozen=True)
class Server:
    """What every child of one server (a slot's, or a holder) shares."""

    shell: object  # the warm IPython shell (`shell.SandboxShell`)
    config: Config
    network: str  # how the warm process left the network (`namespaces`)
    in_cgroup: bool  # whether the server, hence its children, is in the slot's pids cgroup
    origin: Callable[[SpawnRequest], Origin | None]  # where a requested child starts from


# An op other than "spawn" and "exit" -> what the server does with it (the slot's server
# makes prefix holders); the handler gets the control socket and the request.
Handlers = dict[str, Callable[[socket.socket, dict], None]]


def serve_requests(control: socket.socket, server: Server, handlers: Handlers) -> None:
    """Fork a confined child for each spawn request, until told to exit (or the grader's end
    closes)."""
    while True:
        request = protocol.receive(control)
        if request is None or request.get("op") == "exit":
            return
        reap_children()
        handler = handlers.get(str(request.get("op")))
        if handler is not None:
            handler(control, request)
        else:  # only the grader holds the control socket: a spawn request
            spawn_child(control, server, cast(SpawnRequest, request))


def spawn_child(control: socket.socket, server: Server, request: SpawnRequest) -> None:
    """Fork one child and send the grader its pid and its end of the child's socket."""
    origin = server.origin(request)
    grader_end, child_end = socket.socketpair()
    pid, isolated = fork_child(in_user_namespace=server.network.startswith("userns"))
    if pid == 0:
        control.close()
        grader_end.close()
        run_child(child_end, server, request, origin)
    child_end.close()
    if pid is None:
        failed = protocol.encode(SpawnFailed(event="error", reason="fork failed: no process left"))
        socket.send_fds(control, [failed], [])
    else:
        started = protocol.encode(Started(event="started", pid=pid, pid_namespace=isolated))
        socket.send_fds(control, [started], [grader_end.fileno()])
    grader_end.close()


def requested_origin(request: SpawnRequest) -> Origin | None:
    """A slot server's children start from the folder the grader names, if any."""
    folder = request.get("start_from", "")
    return Origin(folder, folder) if folder else None


def run_child(sock: socket.socket, server: Server, request: SpawnRequest, origin: Origin | None):
    """Set up and confine the freshly forked child, then serve its notebook; never returns.

    The order matters: mounts need capabilities that confinement drops, the working folder is
    filled once its tmpfs is mounted, /proc must be the child's own before descriptors are
    listed there, and Landlock rules name /proc as mounted.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # student code sees the usual default
    try:
        workdir = request["workdir"]
        limits = Limits(**server.config["limits"])
        not_private = namespaces.private_mounts(workdir, limits.workdir_bytes)
        if origin is not None:
            shutil.copytree(origin.folder, workdir, symlinks=True, dirs_exist_ok=True)
        prepare_environment(workdir)
        keep_ipython_db_in(server.shell, workdir)
        confine.close_inherited_descriptors(keep=[sock.fileno()])
        warnings = confine.confine(
            workdir=workdir,
            read_only=server.config["read_only"],
            limits=limits,
            cgroup_procs=None,  # born in its slot's cgroup, where its server lives
            born_in_cgroup=server.in_cgroup,
        )
        warnings += not_private
        if origin is not None:  # after `confine`, which enters the working folder itself
            stand_where(origin, workdir)
        protocol.send(sock, Confined(event="confined", warnings=warnings))
        from autograders.sandbox.child import serve  # imported in the warm process already

        serve.serve(sock, server.shell)
    finally:
        os._exit(0)


def prepare_environment(workdir: str) -> None:
    """A fresh home, IPython directory and temporary directory inside `workdir`, entered."""
    import tempfile

    for sub in ("tmp", ".ipython"):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)
    os.environ.update(
        HOME=workdir,
        TMPDIR=os.path.join(workdir, "tmp"),
        IPYTHONDIR=os.path.join(workdir, ".ipython"),
        MPLBACKEND="Agg",
    )
    tempfile.tempdir = os.path.join(workdir, "tmp")
    os.chdir(workdir)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # C-level output and input: nowhere; Python-level output is captured
        os.dup2(null, fd)
    os.close(null)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def keep_ipython_db_in(shell, workdir: str) -> None:
    """IPython's key-value store (where `%cd` keeps its history, `%store` its values) in the
    working folder: in the warm profile it would be read-only to a child, and shared."""
    from IPython.external.pickleshare import PickleShareDB  # imported in the warm process

    shell.db = PickleShareDB(os.path.join(workdir, ".ipython", "db"))


def stand_where(origin: Origin, workdir: str) -> None:
    """Enter the copy of the folder the origin stood in (`%cd` in a worked example), and
    point `sys.path` entries into the origin's folder at the copy."""
    try:
        os.chdir(moved(origin.cwd, origin.folder, workdir))
    except OSError:  # gone since: the child stays in its working folder
        pass
    sys.path[:] = [moved(entry, origin.folder, workdir) for entry in sys.path]


def moved(path: str, folder: str, copy: str) -> str:
    """`path` inside `folder` -> the same place inside `copy`; any other path unchanged."""
    if not os.path.isabs(path):
        return path
    relative = os.path.relpath(path, folder)
    if relative == os.curdir:
        return copy
    if relative.split(os.sep)[0] == os.pardir:
        return path
    return os.path.join(copy, relative)
