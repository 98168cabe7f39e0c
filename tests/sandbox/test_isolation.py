"""Isolation beyond Landlock: network and pid namespaces, and the seccomp filter."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import io
import os
import platform
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest
import torch  # imported before fork, as the warm process does: the rlimits come after
from forked import in_child, needs_landlock, outcome, unix_connect

from autograders.sandbox.child import forking, namespaces, seccomp
from autograders.sandbox.child.shell import make_shell

DGRAM = socket.SOCK_DGRAM
needs_seccomp = pytest.mark.skipif(
    seccomp.program(platform.machine()) is None, reason="no seccomp filter for this machine"
)


def test_network_namespace_has_no_network() -> None:
    """After enter_network_namespace a process cannot reach even the host's loopback."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def check() -> dict:
            achieved = namespaces.enter_network_namespace()
            connect = outcome(lambda: socket.create_connection(("127.0.0.1", port), 2))
            return {"achieved": achieved, "connect": connect}

        report = in_child(check, confined=None)
    if report["achieved"].startswith("none"):
        pytest.skip(report["achieved"])
    assert report["connect"] == "OSError[ENETUNREACH]", report


def child_as_init() -> dict:
    """Fork a pid-1 child that leaves an orphan holding a pipe; time until the orphan dies."""
    if not namespaces.next_child_in_new_pid_namespace():
        return {"skip": "unshare(CLONE_NEWPID) not permitted"}
    read, write = os.pipe()
    if os.fork() == 0:  # pid 1 of the new namespace
        os.write(write, str(os.getpid()).encode())
        if os.fork() == 0:  # an orphan-to-be that keeps `write` open for a minute
            time.sleep(60)
        os._exit(0)
    os.close(write)
    pid_inside = int(os.read(read, 16))
    start = time.monotonic()
    while os.read(read, 1):  # end of file once the orphan is gone too
        pass
    os.close(read)
    os.wait()
    return {"pid_inside": pid_inside, "orphan_seconds": time.monotonic() - start}


def test_pid_namespace_makes_each_next_child_init() -> None:
    """Each child forked after the call is pid 1 of a fresh namespace; its orphans die with it."""
    report = in_child(lambda: {"runs": [child_as_init() for _ in range(3)]}, confined=None)
    for run in report["runs"]:
        if "skip" in run:
            pytest.skip(run["skip"])
        assert run["pid_inside"] == 1, report
        assert run["orphan_seconds"] < 10, report


def child_as_init_in_a_user_namespace() -> dict:
    """As the warm process forks in a user namespace (without root): through a helper."""
    read, write = os.pipe()
    pid, isolated = forking.fork_child(in_user_namespace=True)
    if pid == 0:
        os.write(write, str(os.getpid()).encode())
        if os.fork() == 0:  # an orphan-to-be that keeps `write` open for a minute
            time.sleep(60)
        os._exit(0)
    os.close(write)
    pid_inside = int(os.read(read, 16))
    start = time.monotonic()
    while os.read(read, 1):
        pass
    os.close(read)
    return {
        "pid": pid,
        "isolated": isolated,
        "pid_inside": pid_inside,
        "orphan_seconds": time.monotonic() - start,
    }


def test_in_a_user_namespace_each_child_is_init_of_its_own() -> None:
    """The route an ordinary user's grader takes: a user namespace entered first, then each
    child PID 1 of a fresh PID namespace, its orphans dying with it, its pid the host's."""

    def check() -> dict:
        achieved = namespaces.enter_network_namespace(user_namespace=True)
        if not achieved.startswith("userns"):
            return {"skip": achieved}
        return {"runs": [child_as_init_in_a_user_namespace() for _ in range(3)]}

    report = in_child(check, confined=None)
    if "skip" in report:
        pytest.skip(report["skip"])
    for run in report["runs"]:
        assert run["isolated"] and run["pid_inside"] == 1, report
        assert run["pid"] > 1 and run["orphan_seconds"] < 10, report


@needs_seccomp
def test_pathname_unix_sockets_outside_the_workdir_are_unreachable(
    tmp_path: Path, workdir: Path
) -> None:
    """A root daemon's socket (D-Bus, a database, syslog) must not be reachable from student code.

    Landlock (ABI <= 7) does not check connect() or sendto() to pathname unix sockets, and a
    root child passes their file permissions: the seccomp filter refuses the sockets instead.
    """
    stream, datagram = str(tmp_path / "daemon.sock"), str(tmp_path / "log.sock")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX, DGRAM) as log:
        server.bind(stream)
        server.listen()
        log.bind(datagram)

        def check() -> dict:
            def send_from_a_pair() -> None:  # a datagram pair's end may address any socket
                ends = socket.socketpair(socket.AF_UNIX, DGRAM)
                ends[0].sendto(b"x", datagram)

            return {
                "connect": outcome(lambda: unix_connect(stream)),
                "sendto": outcome(send_from_a_pair),
            }

        report = in_child(check, confined=workdir)
    assert report["connect"] == "PermissionError[EPERM]", report
    assert report["sendto"] == "PermissionError[EPERM]", report


@needs_seccomp
def test_seccomp_keeps_what_honest_code_needs(workdir: Path) -> None:
    """Socket pairs, inet sockets, subprocesses, torch and IPython's `x = !cmd` still work."""

    def check() -> dict:
        def pair(kind: int) -> None:
            left, right = socket.socketpair(socket.AF_UNIX, kind)
            left.send(b"ping")
            assert right.recv(4) == b"ping"

        def raw_system() -> str:  # IPython's pty-free `!cmd`: the output goes to fd 1
            saved, out = os.dup(1), os.open("raw.txt", os.O_WRONLY | os.O_CREAT)
            os.dup2(out, 1)
            try:
                ipython.system_raw("echo hi")
            finally:
                os.dup2(saved, 1)
            return Path("raw.txt").read_text()

        def gradient() -> list[float]:
            x = torch.tensor([1.0, 2.0], requires_grad=True)
            (x**2).sum().backward()
            return x.grad.tolist()

        libc = ctypes.CDLL(None, use_errno=True)
        io_uring = libc.syscall(425, 1, ctypes.create_string_buffer(120))
        ipython = make_shell(str(workdir / ".ipython"))
        return {
            "unix_socket": outcome(lambda: socket.socket(socket.AF_UNIX)),
            "stream_pair": outcome(lambda: pair(socket.SOCK_STREAM)),
            "seqpacket_pair": outcome(lambda: pair(socket.SOCK_SEQPACKET)),
            "default_pair": outcome(socket.socketpair),
            "datagram_pair": outcome(lambda: socket.socketpair(socket.AF_UNIX, DGRAM)),
            "tcp_socket": outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
            "udp_socket": outcome(lambda: socket.socket(socket.AF_INET, DGRAM)),
            "io_uring": [io_uring, ctypes.get_errno()],
            "true": subprocess.run(["/bin/true"]).returncode,
            "sum": torch.ones(2).sum().item(),
            "grad": gradient(),
            "getoutput": list(ipython.getoutput("echo hi")),
            "system_raw": raw_system(),
        }

    report = in_child(check, confined=workdir)
    for key in ("unix_socket", "datagram_pair"):
        assert report[key] == "PermissionError[EPERM]", (key, report[key])
    for key in ("stream_pair", "seqpacket_pair", "default_pair", "tcp_socket", "udp_socket"):
        assert report[key] == "ok", (key, report[key])
    assert report["io_uring"] == [-1, errno.ENOSYS], report
    assert report["true"] == 0 and report["sum"] == 2.0 and report["grad"] == [2.0, 4.0]
    assert report["getoutput"] == ["hi"] and report["system_raw"] == "hi\n", report


@needs_landlock
def test_ipython_bang_commands_run_in_a_confined_child(workdir: Path) -> None:
    """`!echo hi` in a notebook cell, i.e. get_ipython().system('echo hi'), prints hi."""

    def check() -> dict:
        ipython = make_shell(str(workdir / ".ipython"))
        with contextlib.redirect_stdout(io.StringIO()) as buffer:
            ran = outcome(lambda: ipython.system("echo hi"))
        return {"ran": ran, "output": buffer.getvalue()}

    report = in_child(check, confined=workdir)
    assert report["output"].strip() == "hi", report


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 exists on x86_64 only")
def test_syscalls_of_another_abi_kill_the_process(workdir: Path) -> None:
    """An x32 syscall (the same numbers with bit 30 set) could slip past the filter: killed."""

    def check() -> dict:
        pid = os.fork()
        if pid == 0:
            ctypes.CDLL(None).syscall(0x4000_0000 | 39)  # x32 getpid
            os._exit(0)
        return {"status": os.waitpid(pid, 0)[1]}

    status = in_child(check, confined=workdir)["status"]
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS, status


def run_filter(code: list, nr: int, arch: int, *args: int) -> int:
    """Run a classic-BPF seccomp program on a made-up syscall, as the kernel would."""
    data = struct.pack("<II8x6Q", nr & 0xFFFF_FFFF, arch, *(*args, 0, 0, 0, 0, 0, 0)[:6])
    accumulator, pc = 0, 0
    while True:
        op, jt, jf, k = code[pc]
        pc += 1
        if op == 0x20:
            accumulator = struct.unpack_from("<I", data, k)[0]
        elif op == 0x54:
            accumulator &= k
        elif op == 0x06:
            return k
        else:
            taken = {0x15: accumulator == k, 0x35: accumulator >= k, 0x25: accumulator > k}[op]
            pc += jt if taken else jf


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_filter_program_on_each_architecture(machine: str) -> None:
    """The filter's decisions, checked on a BPF interpreter for both supported machines."""
    code = seccomp.program(machine)
    arch, sock, pair, _ = seccomp.ARCHES[machine]
    other = next(nr for m, (a, nr, *_) in seccomp.ARCHES.items() if a != arch)
    allow, kill = 0x7FFF_0000, 0x8000_0000
    eperm, enosys = 0x5_0000 | errno.EPERM, 0x5_0000 | errno.ENOSYS
    unix, inet, cloexec, nonblock = socket.AF_UNIX, socket.AF_INET, 0o2000000, 0o4000
    expected = {
        (sock, arch, unix, socket.SOCK_STREAM): eperm,
        (sock, arch, (1 << 32) | unix, DGRAM): eperm,  # the kernel reads an int
        (sock, arch, inet, socket.SOCK_STREAM): allow,
        (pair, arch, unix, socket.SOCK_STREAM | cloexec): allow,
        (pair, arch, unix, socket.SOCK_SEQPACKET | nonblock): allow,
        (pair, arch, unix, DGRAM): eperm,
        (pair, arch, unix, socket.SOCK_RAW | cloexec): eperm,  # AF_UNIX treats RAW as DGRAM
        (pair, arch, inet, DGRAM): allow,
        (other, arch, unix, socket.SOCK_STREAM): allow,  # another syscall on this machine
        (424, arch): allow,
        (425, arch): enosys,
        (426, arch): enosys,
        (427, arch): enosys,
        (428, arch): allow,
        (sock, 0x4000_0003, inet): kill,  # i386
        (sock, 0x4000_0028, inet): kill,  # arm
    }
    if machine == "x86_64":
        expected[(0x4000_0000 | sock, arch, inet)] = kill  # x32
    got = {call: run_filter(code, *call) for call in expected}
    assert got == expected


def test_unknown_machine_gets_a_warning_and_no_filter() -> None:
    """Where the syscall numbers are unknown nothing is installed, and the child is told."""

    def check() -> dict:
        seccomp.platform.machine = lambda: "riscv64"  # only in this child
        warnings = seccomp.deny_unix_sockets()
        status = Path("/proc/self/status").read_text()
        return {"warnings": warnings, "mode": status.split("Seccomp:")[1].split()[0]}

    report = in_child(check, confined=None)
    assert report["mode"] == "0" and len(report["warnings"]) == 1, report
    assert "riscv64" in report["warnings"][0], report
