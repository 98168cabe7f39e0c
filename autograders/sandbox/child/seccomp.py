"""A small seccomp filter that closes what Landlock (ABI <= 7) leaves open, via ctypes.

Why: Landlock does not check connect() or sendto() to *pathname* unix sockets, and a root
child passes their file permissions, so student code could talk to host daemons (D-Bus,
databases, the container runtime, journald). The netns does not help: unix sockets live in
the filesystem. So the filter refuses to create unix sockets that could reach an address:
- socket(AF_UNIX, ...) fails with EPERM;
- socketpair(AF_UNIX, ...) is allowed for SOCK_STREAM and SOCK_SEQPACKET, whose ends stay
  connected to each other for good (socket.socketpair(), asyncio), but not for SOCK_DGRAM or
  SOCK_RAW, whose ends can sendto() or re-connect() to any datagram socket (syslog, journald);
- io_uring_setup/enter/register fail with ENOSYS (io_uring can open and connect sockets
  without the socket syscalls; programs then fall back to plain syscalls);
- syscalls of another ABI (i386 via int 0x80, arm32, x32) kill the process, since their
  numbers differ and would slip past the checks above.
Everything else is allowed. The cost: whatever listens on a unix socket of its own fails with
EPERM: multiprocessing's Manager and fd sharing (resource_sharer), torch's shm manager, hence
DataLoader(num_workers > 0). Only the standard library is imported (child side).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

from autograders.sandbox.child.landlock import prctl

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_KILL_PROCESS, _ERRNO, _ALLOW = 0x8000_0000, 0x0005_0000, 0x7FFF_0000
# Classic BPF opcodes: load a word at an absolute offset, jumps on a constant, and, return.
_LD, _JEQ, _JGE, _JGT, _AND, _RET = 0x20, 0x15, 0x35, 0x25, 0x54, 0x06
# Offsets in struct seccomp_data; an argument's low word (little endian), which is all the
# kernel reads of socket()'s int arguments.
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24
_AF_UNIX, _SOCK_TYPE_MASK, _SOCK_STREAM, _SOCK_SEQPACKET = 1, 0xF, 1, 5
_IO_URING_SETUP, _IO_URING_REGISTER = 425, 427  # the same numbers on every architecture
_X32_SYSCALL_BIT = 0x4000_0000

# platform.machine() -> (AUDIT_ARCH_*, socket, socketpair, ABI marked by a bit in nr)
ARCHES = {
    "x86_64": (0xC000_003E, 41, 53, _X32_SYSCALL_BIT),
    "aarch64": (0xC000_00B7, 198, 199, None),
}

Instruction = tuple[int, int, int, int]  # struct sock_filter: code, jt, jf, k


def program(machine: str) -> list[Instruction] | None:
    """The filter for `machine` as (code, jt, jf, k) tuples; None for an unknown machine."""
    if machine not in ARCHES:
        return None
    audit_arch, socket_nr, socketpair_nr, abi_bit = ARCHES[machine]
    # Jump targets are labels (None: the next instruction), resolved below.
    # fmt: off
    listing: list = [
        (_LD, _ARCH), (_JEQ, audit_arch, None, "kill"),
        (_LD, _NR),
        *([(_JGE, abi_bit, "kill", None)] if abi_bit else []),
        (_JEQ, socket_nr, "socket", None),
        (_JEQ, socketpair_nr, "socketpair", None),
        (_JGE, _IO_URING_SETUP, None, "allow"), (_JGT, _IO_URING_REGISTER, "allow", "enosys"),
        "socket", (_LD, _ARG0), (_JEQ, _AF_UNIX, "eperm", "allow"),
        "socketpair", (_LD, _ARG0), (_JEQ, _AF_UNIX, None, "allow"),
        (_LD, _ARG1), (_AND, _SOCK_TYPE_MASK),
        (_JEQ, _SOCK_STREAM, "allow", None), (_JEQ, _SOCK_SEQPACKET, "allow", "eperm"),
        "allow", (_RET, _ALLOW),
        "eperm", (_RET, _ERRNO | errno.EPERM),
        "enosys", (_RET, _ERRNO | errno.ENOSYS),
        "kill", (_RET, _KILL_PROCESS),
    ]
    # fmt: on
    labels, position = {}, 0
    for item in listing:
        if isinstance(item, str):
            labels[item] = position
        else:
            position += 1
    code: list[Instruction] = []
    for op, k, *targets in (item for item in listing if not isinstance(item, str)):
        here = len(code) + 1  # BPF jumps go forward, counted from the next instruction
        jt, jf = (labels[t] - here if t else 0 for t in targets) if targets else (0, 0)
        code.append((op, jt, jf, k))
    return code


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def deny_unix_sockets() -> list[str]:
    """Install the filter on the calling thread and its future children, for good.

    Returns warnings (empty on success) where the machine cannot have it; raises OSError when
    the kernel supports seccomp filters but refuses this one. Sets no_new_privs, which an
    unprivileged process needs before installing a filter.
    """
    machine = platform.machine()
    code = program(machine)
    # A 32-bit or big-endian interpreter on a 64-bit kernel would be killed by its own filter.
    if code is None or struct.calcsize("P") != 8 or sys.byteorder != "little":
        return [
            f"no seccomp filter for {machine} ({8 * struct.calcsize('P')}-bit "
            f"{sys.byteorder} endian): pathname unix sockets stay reachable"
        ]
    if prctl(_PR_SET_NO_NEW_PRIVS, 1) != 0:
        raise OSError(err := ctypes.get_errno(), f"PR_SET_NO_NEW_PRIVS: {os.strerror(err)}")
    filters = (_SockFilter * len(code))(*(_SockFilter(*instruction) for instruction in code))
    fprog = _SockFprog(len(code), filters)
    if prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog)) != 0:
        err = ctypes.get_errno()
        if err == errno.EINVAL:  # built without CONFIG_SECCOMP_FILTER
            return ["no seccomp filters in this kernel: pathname unix sockets stay reachable"]
        raise OSError(err, f"PR_SET_SECCOMP: {os.strerror(err)}")
    return []
