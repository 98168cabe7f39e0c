"""A minimal ctypes wrapper around Landlock, the kernel's unprivileged file and network sandbox.

Why Landlock: a forked child runs as the same user as the grader (root on the grading
machine), so ordinary file permissions protect nothing; the instructor's notebooks, the
rubric and the gradebook would all be readable and writable. Landlock lets a process give up
access to everything except an allow-list of directories, irrevocably and for all its future
children, without needing mount namespaces or a helper binary.

Only the standard library is imported: this module is loaded in the warm process before fork.
The access-right masks follow the kernel's uapi header `linux/landlock.h`; rights the running
kernel's ABI does not know are left out, because the kernel rejects unknown bits.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Sequence

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # all arches but alpha
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights (ABI 1 unless noted).
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REFER = 1 << 13  # ABI 2: rename or link across directories
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

# Rights that make sense on a file; a rule on a non-directory may only contain these.
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
_READ_RIGHTS = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR


class LandlockError(OSError):
    """A Landlock step failed although the kernel supports Landlock: do not run student code."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),  # ABI 4
        ("scoped", ctypes.c_uint64),  # ABI 6
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel struct is __attribute__((packed)): 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number: int, *args: object) -> int:
    return _libc.syscall(ctypes.c_long(number), *args)


def prctl(option: int, *args: int) -> int:
    """prctl(2) with every argument passed as the unsigned long the kernel reads."""
    padded = [ctypes.c_ulong(arg) for arg in (*args, 0, 0, 0, 0)[:4]]
    return _libc.prctl(ctypes.c_int(option), *padded)


def abi_version() -> int:
    """Return the Landlock ABI the kernel offers, 0 when it is missing or disabled."""
    version = _syscall(
        _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
    )
    return max(int(version), 0)


def handled_fs_rights(abi: int) -> int:
    """All filesystem rights the given ABI knows, so that everything not granted is denied."""
    rights = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def _fail(step: str, path: str = "") -> LandlockError:
    err = ctypes.get_errno()
    where = f" for {path!r}" if path else ""
    return LandlockError(err, f"Landlock {step} failed{where}: {os.strerror(err)}")


def _add_path_rule(ruleset_fd: int, path: str, rights: int) -> None:
    """Allow `rights` beneath `path`; missing paths are skipped, files get file rights only."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_RIGHTS
        attr = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        rule = ctypes.c_int(_RULE_PATH_BENEATH)
        flags = ctypes.c_uint32(0)
        if _syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset_fd), rule, ctypes.byref(attr), flags):
            raise _fail("add_rule", path)
    finally:
        os.close(fd)


def restrict(
    *,
    read_only: Sequence[str],
    read_write: Sequence[str],
    read_write_files: Sequence[str] = (),
) -> None:
    """Confine the calling process (and its future children) to the given paths, for good.

    `read_only` paths may be read, listed and executed; `read_write` directories get every
    right; `read_write_files` (device files such as /dev/null) get every file right. From ABI 4
    every TCP bind and connect is refused, since no port is allowed. From ABI 6 the process
    can neither signal processes outside its domain (the grader, the warm process, other
    students' children) nor reach their abstract unix sockets.
    Raises LandlockError when Landlock is missing or a step fails.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError(ctypes.get_errno(), "Landlock is not available on this kernel")
    handled = handled_fs_rights(abi)
    attr = _RulesetAttr(handled_access_fs=handled)
    size = ctypes.sizeof(ctypes.c_uint64)  # ABI 1-3 kernels only know the first field
    if abi >= 4:
        size = _RulesetAttr.scoped.offset
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
    if abi >= 6:
        size = ctypes.sizeof(_RulesetAttr)
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    # Without no_new_privs an unprivileged process may not restrict itself, and a setuid
    # binary started later could regain what Landlock takes away.
    if prctl(_PR_SET_NO_NEW_PRIVS, 1) != 0:
        raise _fail("prctl(PR_SET_NO_NEW_PRIVS)")
    ruleset_fd = _syscall(
        _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    if ruleset_fd < 0:
        raise _fail("create_ruleset")
    try:
        for path in read_only:
            _add_path_rule(ruleset_fd, path, _READ_RIGHTS & handled)
        for path in read_write:
            _add_path_rule(ruleset_fd, path, handled)
        for path in read_write_files:
            _add_path_rule(ruleset_fd, path, handled & _FILE_RIGHTS)
        if _syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0)) != 0:
            raise _fail("restrict_self")
    finally:
        os.close(ruleset_fd)
