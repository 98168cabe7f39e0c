"""Child side: a prefix holder. Runs a release's unchanged leading cells once, then forks the
children of every notebook that starts with them.

    grader -> slot server   HolderRequest (its working folder, the release folder)
    slot server -> grader   HolderStarted, with the grader's end of the holder's socket
    grader -> holder        CellsRequest: the prefix cells, answered by `serve.run_cells`
                            itself (one CellReport per cell, CellsDone), which the grader keeps
    grader -> holder        HoldRequest; holder -> grader: Holding (usable or why not)
    grader -> holder        SpawnRequest per notebook, as to a slot server (`spawner`), ExitRequest

The holder is a fork of the slot's server: in the slot's cgroup, without network, with the warm
shell. Its cells are the instructor's, from the release (the grader sends the release's cells,
which the submission matches byte for byte): no student code ever runs in it, which is why it
is not confined (Landlock would also forbid the mounts its children make; see the README). It
works in a copy of the release folder, as a student's notebook does in JupyterLab; each child
starts from a copy of that folder as the cells left it (`spawner.Origin`), so nothing a child
writes reaches the holder or the next child. Each child is then set up as any other: private
mounts, descriptors closed, Landlock, seccomp.

A holder is refused (the grader then runs the whole notebook in a child, as without a release)
when its cells left something a fork would share between students: memory mapped shared and
writable, or a second thread (a fork would copy its locks, not the thread).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import threading
from dataclasses import replace

from autograders.sandbox import protocol
from autograders.sandbox.child import namespaces
from autograders.sandbox.child.forking import (
    PR_SET_CHILD_SUBREAPER,
    fork_when_possible,
    reap_children,
)
from autograders.sandbox.child.landlock import prctl
from autograders.sandbox.child.spawner import (
    Origin,
    Server,
    keep_ipython_db_in,
    prepare_environment,
    serve_requests,
)
from autograders.sandbox.messages import (
    HolderRequest,
    HolderStarted,
    Holding,
    SpawnFailed,
    SpawnRequest,
)


def fork_holder(control: socket.socket, server: Server, request: HolderRequest) -> None:
    """Fork a holder for the grader (the slot server's handler of HolderRequest)."""
    grader_end, holder_end = socket.socketpair()
    # In the server's own PID namespace, not in the one prepared for the last child (which
    # would end the holder with that child), nor in one of its own (whence its children's
    # namespaces could not be made).
    namespaces.next_child_in_own_pid_namespace()
    pid = fork_when_possible()
    if pid == 0:
        control.close()  # the slot's control socket is the grader's and the server's alone
        grader_end.close()
        run_holder(holder_end, server, request)
    holder_end.close()
    if pid is None:
        failed = protocol.encode(SpawnFailed(event="error", reason="fork failed: no process left"))
        socket.send_fds(control, [failed], [])
    else:
        started = protocol.encode(HolderStarted(event="holder", pid=pid))
        socket.send_fds(control, [started], [grader_end.fileno()])
    grader_end.close()


def run_holder(sock: socket.socket, server: Server, request: HolderRequest) -> None:
    """Run the prefix cells the grader sends, then serve spawn requests; never returns."""
    try:
        signal.signal(signal.SIGCHLD, lambda *_: reap_children())
        prctl(PR_SET_CHILD_SUBREAPER, 1)  # children forked through a helper stay ours to reap
        workdir = request["workdir"]
        os.makedirs(workdir, exist_ok=True)
        if request["release"]:
            shutil.copytree(request["release"], workdir, symlinks=True, dirs_exist_ok=True)
        prepare_environment(workdir)
        keep_ipython_db_in(server.shell, workdir)
        shared_before = shared_writable_mappings()
        from autograders.sandbox.child import serve  # imported in the warm process already

        stdout, stderr = serve.start_serving(server.shell)
        cells = protocol.receive(sock)
        if cells is None or cells.get("op") != "cells":
            return
        serve.run_cells(sock, server.shell, cells, stdout, stderr)  # the reports, as a child's
        hold = protocol.receive(sock)
        if hold is None or hold.get("op") != "hold":
            return
        why_not = unshareable(shared_before)
        protocol.send(sock, Holding(event="holding", usable=not why_not, why=why_not))
        if not why_not:

            def here(_: SpawnRequest) -> Origin:
                return Origin(workdir, os.getcwd())  # where the cells left the holder

            serve_requests(sock, replace(server, origin=here), handlers={})
    finally:
        os._exit(0)


def unshareable(shared_before: set[str]) -> str:
    """Why the holder's state must not be forked for students ("" when it may)."""
    if threading.active_count() > 1 or _threads() > 1:
        return "the release's cells started a thread"
    if shared_writable_mappings() - shared_before:
        return "the release's cells mapped memory shared and writable"
    return ""


def shared_writable_mappings() -> set[str]:
    """The process's memory mapped shared and writable (`rw-s`): a fork shares it."""
    with open("/proc/self/maps") as maps:
        lines = [line.split() for line in maps]
    return {" ".join(line[:1] + line[5:]) for line in lines if line[1][1::2] == "ws"}


def _threads() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 1
