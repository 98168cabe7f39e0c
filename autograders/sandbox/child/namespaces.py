"""Linux namespaces for the warm process and its children, via ctypes (Python 3.11 has no
`os.unshare`).

Why: a network namespace of its own leaves the warm process, and every child it forks, with
only a loopback interface that is down, so student code cannot reach the network (or the
grader's local services) even where Landlock's TCP rules are missing (ABI < 4) or for UDP,
which Landlock does not cover. A pid namespace makes a child "init" of its own process tree,
so when it dies the kernel kills everything it started, double-forked daemons included.

Only the standard library is imported: this module is loaded in the warm process.
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> int:
    """Call unshare(2); return 0 on success, else the errno."""
    if _libc.unshare(ctypes.c_int(flags)) == 0:
        return 0
    return ctypes.get_errno()


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def enter_network_namespace(*, user_namespace: bool = False) -> str:
    """Move the calling process into a new, empty network namespace. Never raises.

    As root (CAP_SYS_ADMIN) a plain network namespace is enough. Otherwise an unprivileged
    user namespace comes first, mapping the current uid and gid to 0 inside it (setgroups is
    denied, which the kernel requires before an unprivileged gid_map). Note that the kernel
    refuses a new user namespace in a multi-threaded process, so call this before anything
    starts threads (torch's thread pools start lazily, on the first parallel operation).

    `user_namespace` takes the unprivileged route even as root (to test it).
    Returns "netns", "userns+netns", or "none: <reason>".
    """
    err = 0 if user_namespace else _unshare(CLONE_NEWNET)
    if err == 0 and not user_namespace:
        return "netns"
    uid, gid = os.getuid(), os.getgid()
    err_user = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if err_user != 0:
        return (
            f"none: unshare(CLONE_NEWNET) failed ({os.strerror(err)}) and "
            f"unshare(CLONE_NEWUSER|CLONE_NEWNET) failed ({os.strerror(err_user)})"
        )
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    except OSError as exc:
        # The network namespace exists already; only the id mapping is missing, which leaves
        # the process as "nobody" inside its user namespace. Still no network.
        return f"userns+netns (uid/gid map failed: {exc})"
    return "userns+netns"


_own_pid_namespace: int | None = None


def next_child_in_new_pid_namespace() -> bool:
    """Make the caller's next fork() the first process (pid 1) of a new pid namespace.

    When that process dies, the kernel kills every process left in its namespace, so a
    child's whole tree (double-forked daemons and `setsid` sessions included) ends with it.
    A process may create only one such namespace for its children with unshare(2); pointing
    its children back at its own namespace first (setns(2)) lets the warm process call this
    before every fork. Needs CAP_SYS_ADMIN over the caller's own pid namespace (root: not a
    process in a user namespace of its own, whose pid namespace still belongs to the host; see
    `forking.fork_child`); returns False, and changes nothing, where that is not allowed.
    Never raises.
    """
    global _own_pid_namespace
    try:
        if _own_pid_namespace is None:
            _own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)
    except OSError:
        return False
    if _libc.setns(_own_pid_namespace, CLONE_NEWPID) != 0:
        return False
    return _unshare(CLONE_NEWPID) == 0


def next_child_in_own_pid_namespace() -> None:
    """Undo `next_child_in_new_pid_namespace`: the caller's next fork() stays in the caller's
    own pid namespace (a long-lived helper must not end with the last child's namespace).
    Never raises; where the namespace cannot be changed, it never was."""
    global _own_pid_namespace
    try:
        if _own_pid_namespace is None:
            _own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)
    except OSError:
        return
    _libc.setns(_own_pid_namespace, CLONE_NEWPID)


def unshare_pid_namespace() -> bool:
    """Make the caller's next fork() PID 1 of a new PID namespace, once per process (a helper
    forked for the purpose, where `next_child_in_new_pid_namespace` is not allowed)."""
    return _unshare(CLONE_NEWPID) == 0


MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000


def _mount(source: bytes | None, target: bytes, kind: bytes | None, flags: int, data) -> int:
    """mount(2); 0 on success, else the errno."""
    mount = _libc.mount
    mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong]
    mount.argtypes += [ctypes.c_char_p]
    if mount(source, target, kind, flags, data) == 0:
        return 0
    return ctypes.get_errno()


def private_mounts(workdir: str, size_bytes: int) -> list[str]:
    """Give the calling child a mount namespace of its own, then in it a size-limited working
    folder (`private_tmpfs`) and a /proc of its own PID namespace (`private_proc`).

    Call in the child, after fork and before Landlock (which forbids mounting). Returns one
    line per protection that could not be set up (empty when all hold). Never raises.
    """
    if (err := _unshare(CLONE_NEWNS)) != 0:
        return [
            f"no mount namespace ({os.strerror(err)}): working folder not size-limited, "
            "/proc shows the host's processes"
        ]
    if (err := _mount(None, b"/", None, MS_REC | MS_PRIVATE, None)) != 0:  # no mount leaks out
        return [f"mounts not private ({os.strerror(err)})"]
    failures = [private_tmpfs(workdir, size_bytes), private_proc()]
    return [failure for failure in failures if failure]


def private_tmpfs(path: str, size_bytes: int) -> str:
    """Mount a tmpfs of at most `size_bytes` on `path` (in a mount namespace of the caller's).

    A submission's working folder then cannot fill the disk (the file-size rlimit bounds one
    file, not how many), and it vanishes with the process. Returns "" on success, else why
    not (then the folder stays on the disk). Never raises.
    """
    options = f"size={size_bytes},mode=0700".encode()
    if (err := _mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options)) != 0:
        return f"working folder not size-limited: no tmpfs ({os.strerror(err)})"
    return ""


def private_proc() -> str:
    """Mount a fresh procfs on /proc (in a mount namespace of the caller's).

    A procfs shows the PID namespace of the process that mounts it: called by PID 1 of a
    namespace of its own, /proc lists the child and what it started, nothing of the host (no
    command lines, environments, descriptors or memory maps of other processes). The host's
    /proc stays underneath, out of reach once the child can no longer unmount (capabilities
    dropped) and holds no descriptor into it. `hidepid=2` also hides processes of other users,
    should the namespace ever be shared. Returns "" on success, else why not. Never raises.
    """
    if os.getpid() != 1:
        return "/proc shows the host's processes: the child has no PID namespace of its own"
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    if (err := _mount(b"proc", b"/proc", b"proc", flags, b"hidepid=2")) != 0:
        return f"/proc shows the host's processes: no private /proc ({os.strerror(err)})"
    return ""
