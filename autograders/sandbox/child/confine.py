"""Lock a freshly forked child in, before any student code runs. Child side, stdlib only.

The steps run in this order because each needs a privilege that a later one takes away:
1. join the slot's cgroups (needs root and file access). As root, the pids cgroup is the only
   fork-bomb limit that holds: the kernel never applies RLIMIT_NPROC to uid 0.
2. rlimits: address space, CPU time, file size, open files, no core dumps. CPython ignores
   SIGXFSZ at start-up, so a write past `file_bytes` raises OSError(EFBIG) in the student's
   code instead of killing the child; we keep it that way.
3. Landlock: only the interpreter, libraries, system files and the work directory stay
   reachable; no TCP; no signals to, or abstract sockets of, processes outside the child.
4. seccomp: no unix socket that could reach a host daemon's pathname socket (Landlock does
   not check those), no io_uring, no syscalls of another ABI. See `seccomp`.
5. drop every capability for good, so a root child cannot mount, reboot, load modules or
   change its cgroup or its limits.
"""

from __future__ import annotations

import ctypes
import os
import resource
import tempfile
from collections.abc import Collection, Sequence

from autograders.sandbox.child import landlock, seccomp
from autograders.sandbox.child.landlock import prctl
from autograders.sandbox.limits import Limits

DEVICE_FILES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class ConfinementError(RuntimeError):
    """A protection the machine offers could not be applied: do not run student code."""


def _inside(path: str, directory: str) -> bool:
    return os.path.commonpath([path, directory]) == directory


def close_inherited_descriptors(keep: Collection[int]) -> None:
    """Close every descriptor of the calling process but 0, 1, 2 and those in `keep`.

    A forked child inherits whatever its warm process had open, and Landlock checks a file
    only when it is opened: an inherited descriptor would let student code write where it
    may not, or leave data behind for the next student. Call after fork, before any student
    code; /proc must show the caller (as it does when the child mounted its own).
    """
    wanted = {0, 1, 2, *keep}
    for name in os.listdir("/proc/self/fd"):
        if int(name) not in wanted:
            try:
                os.close(int(name))
            except OSError:  # the directory listing's own descriptor, closed already
                pass


def confine(
    *,
    workdir: str,
    read_only: Sequence[str],
    limits: Limits,
    cgroup_procs: str | Sequence[str] | None,
    born_in_cgroup: bool = False,
) -> list[str]:
    """Confine the calling (freshly forked) process; return warnings about missing protections.

    Must run single-threaded, as right after fork: no_new_privs, Landlock and capabilities
    bind only the calling thread. Also moves into `workdir` and points TMPDIR inside it.
    Raises ConfinementError when a protection the machine supports fails to apply.
    `born_in_cgroup` says the process is in a pids cgroup already (its parent was).
    """
    procs = [cgroup_procs] if isinstance(cgroup_procs, str) else list(cgroup_procs or ())
    abi = landlock.abi_version()
    warnings = _missing_protections(cgroup=bool(procs) or born_in_cgroup, abi=abi)
    with open("/proc/self/status") as handle:
        status = dict(line.split(":", 1) for line in handle)
    if int(status["Threads"]) != 1:
        raise ConfinementError(f"confine() needs a single thread, found {status['Threads']}")
    try:
        os.chdir(workdir)
        for path in procs:
            with open(path, "w") as handle:
                handle.write("0")  # "the writer": right even as pid 1 of a pid namespace
        _set_rlimits(limits, vm_size=int(status["VmSize"].split()[0]) * 1024)
        if abi >= 1:
            landlock.restrict(
                read_only=read_only, read_write=[workdir], read_write_files=DEVICE_FILES
            )
        warnings += seccomp.deny_unix_sockets()  # needs no_new_privs (it sets it) or root
        drop_capabilities()
    except OSError as exc:
        raise ConfinementError(f"could not confine the child: {exc}") from exc
    tmp = os.environ.get("TMPDIR", "")  # keep one the caller chose inside the work dir
    tmp = tmp if tmp and _inside(os.path.realpath(tmp), os.path.realpath(workdir)) else workdir
    os.environ.update(TMPDIR=tmp, TEMP=tmp, TMP=tmp)
    tempfile.tempdir = tmp  # the warm process may have cached /tmp, unwritable from now on
    return warnings


def _missing_protections(*, cgroup: bool, abi: int) -> list[str]:
    warnings = []
    if not cgroup:  # uid 0 of the host, not of a user namespace, escapes RLIMIT_NPROC
        with open("/proc/self/uid_map") as uid_map:
            host_root = os.getuid() == 0 and uid_map.read().split()[:2] == ["0", "0"]
        note = ", which the kernel ignores for root" if host_root else ""
        warnings.append(f"no pids cgroup: processes are limited by RLIMIT_NPROC only{note}")
    if abi < 1:
        warnings.append("no Landlock: the child can read and write every file its user can")
    elif abi < 4:
        warnings.append(f"Landlock ABI {abi} < 4: TCP is not blocked (a netns may still be)")
    if 1 <= abi < 6:
        warnings.append(f"Landlock ABI {abi} < 6: signals and abstract sockets are not scoped")
    return warnings


def _set_rlimits(limits: Limits, *, vm_size: int) -> None:
    _lower(resource.RLIMIT_AS, vm_size + limits.memory_bytes)
    _lower(resource.RLIMIT_CPU, limits.cpu_seconds, hard=limits.cpu_seconds + 1)
    _lower(resource.RLIMIT_FSIZE, limits.file_bytes)
    _lower(resource.RLIMIT_NPROC, limits.processes)  # not enforced for uid 0
    _lower(resource.RLIMIT_NOFILE, limits.open_files)
    _lower(resource.RLIMIT_CORE, 0)


def _lower(which: int, soft: int, hard: int | None = None) -> None:
    """Set a limit without ever raising it above the current hard limit (that would fail)."""
    cap = resource.getrlimit(which)[1]
    cap = max(soft, hard or 0) if cap == resource.RLIM_INFINITY else cap
    resource.setrlimit(which, (min(soft, cap), min(soft if hard is None else hard, cap)))


_PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP, _PR_SET_SECUREBITS, _PR_CAP_AMBIENT = 38, 24, 28, 47
_CAP_SETPCAP, _EINVAL = 8, 22
# SECBIT_NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE, each locked; KEEP_CAPS locked off.
_SECUREBITS = 0b1110_1111


def drop_capabilities() -> None:
    """Give up every capability, irrevocably: even as uid 0 the child stays powerless.

    Securebits and the bounding set need CAP_SETPCAP, so they go first and the process's own
    capability sets last. Without CAP_SETPCAP (not root) there is nothing to drop but the
    sets themselves; no_new_privs then stops setuid binaries and file capabilities.
    """
    libc = ctypes.CDLL(None, use_errno=True)

    def fail(step: str) -> OSError:
        return OSError(err := ctypes.get_errno(), f"{step}: {os.strerror(err)}")

    if prctl(_PR_SET_NO_NEW_PRIVS, 1) != 0:
        raise fail("PR_SET_NO_NEW_PRIVS")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable; twice (64 bits)
    if libc.capget(header, data) != 0:
        raise fail("capget")
    if data[0] & (1 << _CAP_SETPCAP):
        if prctl(_PR_SET_SECUREBITS, _SECUREBITS) != 0:
            raise fail("PR_SET_SECUREBITS")
        for cap in range(64):  # the kernel answers EINVAL past its last capability
            if prctl(_PR_CAPBSET_DROP, cap) != 0:
                if ctypes.get_errno() != _EINVAL or cap == 0:
                    raise fail(f"PR_CAPBSET_DROP({cap})")
                break
    prctl(_PR_CAP_AMBIENT, 4)  # PR_CAP_AMBIENT_CLEAR_ALL; EINVAL before Linux 4.3
    if libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        raise fail("capset")
