"""Landlock in a confined child: files, TCP, signals and abstract sockets; no capabilities.

Helpers are in `forked`; where the kernel lacks a feature the test is skipped and says which.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
from pathlib import Path

import pytest
from forked import ABI, LIMITS, PACKAGE_DIR, in_child, needs_landlock, outcome, unix_connect

from autograders.sandbox.child import landlock
from autograders.sandbox.child.confine import confine
from autograders.sandbox.host.readable import read_only_paths


@needs_landlock
def test_files_outside_the_allow_list_are_unreachable(tmp_path: Path, workdir: Path) -> None:
    """Only the interpreter, libraries and the work dir are reachable, never the grader."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("instructor only")
    stray = Path(f"/tmp/autograders-confine-test-{os.getpid()}")
    fresh = next(m for m in ("colorsys", "sndhdr", "wave", "this") if m not in sys.modules)
    torch_file = os.path.join(sys.prefix, "lib", "python3.11", "site-packages", "torch")

    def check() -> dict:
        return {
            "secret": outcome(secret.read_text),
            "grader": outcome((PACKAGE_DIR / "results.py").read_text),
            "grader_dir": outcome(lambda: os.listdir(PACKAGE_DIR)),
            "repo": outcome(lambda: os.listdir(PACKAGE_DIR.parent)),
            "shadow": outcome(Path("/etc/shadow").read_bytes),
            "passwd": outcome(Path("/etc/passwd").read_bytes),
            "stdlib_import": outcome(lambda: __import__(fresh)),
            "torch": outcome(lambda: os.listdir(torch_file)),
            "write_work": outcome(lambda: (workdir / "out.txt").write_text("mine")),
            "move_work": outcome(lambda: move_within(workdir)),
            "write_tmp": outcome(lambda: stray.write_text("x")),
            "write_repo": outcome(lambda: (PACKAGE_DIR / "planted.py").write_text("x")),
            "dev_null": outcome(lambda: Path("/dev/null").write_text("x")),
        }

    report = in_child(check, confined=workdir)
    for key in ("secret", "grader", "grader_dir", "repo", "shadow", "write_tmp", "write_repo"):
        assert report[key].startswith("PermissionError"), (key, report[key])
    for key in ("passwd", "stdlib_import", "torch", "write_work", "move_work", "dev_null"):
        assert report[key] == "ok", (key, report[key])
    assert not stray.exists() and not (PACKAGE_DIR / "planted.py").exists()


def move_within(workdir: Path) -> None:
    """Make folders and move a file across them, as honest code saving outputs may do."""
    (workdir / "a" / "b").mkdir(parents=True)
    os.rename(workdir / "out.txt", workdir / "a" / "b" / "out.txt")
    os.replace(workdir / "a" / "b" / "out.txt", workdir / "moved.txt")


@pytest.mark.skipif(ABI < 4, reason="Landlock ABI < 4 cannot block TCP")
def test_tcp_is_blocked(workdir: Path) -> None:
    """A submission cannot connect to, or listen on, any TCP port."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def check() -> dict:
            def bind() -> None:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", 0))

            return {
                "connect": outcome(lambda: socket.create_connection(("127.0.0.1", port), 2)),
                "bind": outcome(bind),
            }

        report = in_child(check, confined=workdir)
    assert report["connect"].startswith("PermissionError"), report
    assert report["bind"].startswith("PermissionError"), report


@pytest.mark.skipif(ABI < 6, reason="Landlock ABI < 6 cannot scope signals and sockets")
def test_signals_and_abstract_sockets_cannot_leave_the_sandbox(workdir: Path) -> None:
    """The child may signal itself but not its parent, nor reach an outside abstract socket."""
    parent = os.getpid()
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(f"\0autograders-test-{parent}")
        server.listen()
        report = in_child(
            lambda: {
                "parent": outcome(lambda: os.kill(parent, 0)),
                "self": outcome(lambda: os.kill(os.getpid(), 0)),
                "abstract": outcome(lambda: unix_connect(f"\0autograders-test-{parent}")),
            },
            confined=workdir,
        )
    assert report["parent"] == "PermissionError[EPERM]", report
    assert report["self"] == "ok", report
    assert report["abstract"] == "PermissionError[EPERM]", report


@needs_landlock
def test_privileged_operations_fail_even_as_root(workdir: Path) -> None:
    """No capabilities survive: no hostname change, no new namespaces, no setuid, no cgroups."""
    hostname = socket.gethostname().encode()

    def check() -> dict:
        libc = ctypes.CDLL(None, use_errno=True)

        def libc_call(result: int) -> None:
            if result != 0:
                raise OSError(ctypes.get_errno(), "libc call failed")

        status = Path("/proc/self/status").read_text()
        caps = {
            line.split(":")[0]: int(line.split()[1], 16)
            for line in status.splitlines()
            if line.startswith("Cap")
        }
        return {
            "caps": caps,
            "no_new_privs": status.split("NoNewPrivs:")[1].split()[0],
            "sethostname": outcome(lambda: libc_call(libc.sethostname(hostname, len(hostname)))),
            "unshare_mount": outcome(lambda: libc_call(libc.unshare(0x00020000))),
            "setuid": outcome(lambda: os.setuid(1)),
            "proc_sys": outcome(lambda: Path("/proc/sys/kernel/hostname").write_bytes(hostname)),
            "cgroup": outcome(lambda: Path("/sys/fs/cgroup/pids/cgroup.procs").write_text("0")),
        }

    report = in_child(check, confined=workdir)
    if os.getuid() != 0:  # an ordinary user cannot empty its bounding set, nor gain from it
        del report["caps"]["CapBnd"]
    assert set(report["caps"].values()) == {0}, report["caps"]
    assert report["no_new_privs"] == "1", report
    for key in ("sethostname", "unshare_mount", "setuid", "proc_sys", "cgroup"):
        assert report[key].startswith("PermissionError"), (key, report[key])


def test_without_landlock_confine_warns_but_still_drops_privileges(workdir: Path) -> None:
    """On a kernel without Landlock the child is told so, and capabilities still go."""

    def check() -> dict:
        landlock.abi_version = lambda: 0  # only in this child
        warnings = confine(workdir=str(workdir), read_only=[], limits=LIMITS, cgroup_procs=None)
        status = Path("/proc/self/status").read_text()
        return {"warnings": warnings, "cap_eff": status.split("CapEff:")[1].split()[0]}

    report = in_child(check, confined=None)
    assert any(w.startswith("no Landlock") for w in report["warnings"]), report
    assert any(w.startswith("no pids cgroup") for w in report["warnings"]), report
    assert int(report["cap_eff"], 16) == 0


def test_default_paths_skip_the_grader_package_inside_a_prefix(tmp_path, monkeypatch) -> None:
    """A grader installed into site-packages is carved out of the prefix, symlinks included."""
    site = tmp_path / "prefix" / "lib" / "python3.11" / "site-packages"
    for name in ("autograders", "torch", "derivatives_autograder-0.1.0.dist-info"):
        (site / name).mkdir(parents=True)
    dist_info = site / "derivatives_autograder-0.1.0.dist-info"
    (dist_info / "METADATA").write_text("Name: derivatives-autograder\nVersion: 0.1.0\n")
    (dist_info / "top_level.txt").write_text("autograders\n")
    monkeypatch.syspath_prepend(str(site))
    (site / "__editable___autograders_0_1_0_finder.py").write_text("")
    (tmp_path / "prefix" / "lib64").symlink_to("lib")
    for name in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix"):
        monkeypatch.setattr(sys, name, str(tmp_path / "prefix"))
    paths = [Path(p) for p in read_only_paths(str(site / "autograders"))]
    assert site / "torch" in paths
    for path in paths:
        real = path.resolve()
        assert not (site / "autograders").is_relative_to(real), path
        assert "autograders" not in real.name, path
    assert not any(p.name.endswith(".dist-info") and "autograder" in p.name for p in paths)


def test_default_paths_allow_the_venv_but_not_the_repository() -> None:
    """With the venv inside the course repository, only the venv is readable."""
    paths = read_only_paths(str(PACKAGE_DIR))
    assert os.path.realpath(sys.prefix) in paths
    assert not any(PACKAGE_DIR.resolve().is_relative_to(p) for p in paths), paths
