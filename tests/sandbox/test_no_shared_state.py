"""Nothing one notebook's child can reach outlives it: no inherited descriptor, no host /proc.

Each test runs real notebook cells in the real sandbox (warm process, forked, confined child)
and reads what the cells found back as plain data.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from sandboxed_notebook import read_json

import autograders
from autograders.sandbox.host.pool import Sandbox
from autograders.sandbox.limits import Limits

pytestmark = pytest.mark.slow
PACKAGE_DIR = str(Path(autograders.__file__).parent)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(Limits(), workers=1) as made:
        yield made


LIST_DESCRIPTORS = """
import json, os
report = {}
for name in os.listdir("/proc/self/fd"):
    try:
        report[name] = os.readlink(f"/proc/self/fd/{name}")
    except OSError:  # the listing's own descriptor, closed by now
        pass
report = json.dumps(report)
"""


def test_a_child_holds_only_its_channel_and_dev_null(sandbox: Sandbox) -> None:
    """0, 1 and 2 on /dev/null and one socket to the grader: nothing from the warm process."""
    found = read_json(sandbox, [LIST_DESCRIPTORS])
    standard = {name: found.pop(name, None) for name in ("0", "1", "2")}
    assert standard == {"0": "/dev/null", "1": "/dev/null", "2": "/dev/null"}, standard
    assert len(found) == 1, found
    assert next(iter(found.values())).startswith("socket:"), found


def test_the_warm_process_keeps_no_file_open(sandbox: Sandbox) -> None:
    """What a child could inherit: besides its standard streams, the warm process holds only
    sockets, pipes and namespace handles, no file (no history database, no font, no log),
    and no memory shared for writing."""
    sandbox.spawn(0).kill()  # the slot's server is up
    server = sandbox._warm[0].server_pid
    folder = Path(f"/proc/{server}/fd")
    held = {name: os.readlink(folder / name) for name in os.listdir(folder)}
    for name in ("0", "1", "2"):
        held.pop(name)
    files = [link for link in held.values() if not link.startswith(("socket:", "pipe:", "pid:"))]
    assert files == [], held
    maps = Path(f"/proc/{server}/maps").read_text().splitlines()
    shared_writable = [line for line in maps if line.split()[1][1::2] == "ws"]  # rw-s
    assert shared_writable == [], shared_writable  # memory one child could leave data in


# Student A leaves a marker wherever it can: through every descriptor it holds (but its
# channel), and in files of every folder it can name. Student B then looks for it everywhere
# A tried, and through every descriptor B holds.
MARKER = "left-by-student-a-7f3c"
WRITE_EVERYWHERE = textwrap.dedent(f"""
    import json, os, socket, stat, tempfile
    def writable_fds():
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                    yield fd
            except OSError:
                pass
    wrote = []
    for fd in writable_fds():
        try:
            os.pwrite(fd, b"{MARKER}", 0)
            wrote.append(fd)
        except OSError:
            try:
                os.write(fd, b"{MARKER}")
                wrote.append(fd)
            except OSError:
                pass
    places = [os.getcwd(), tempfile.gettempdir(), os.path.expanduser("~"), "/tmp", "/dev/shm",
              "/var/tmp", os.environ.get("IPYTHONDIR", ""), os.environ.get("MPLCONFIGDIR", ""),
              os.path.dirname(os.getcwd())]
    for place in places:
        try:
            with open(os.path.join(place, "note.txt"), "w") as handle:
                handle.write("{MARKER}")
            wrote.append(place)
        except OSError:
            pass
    report = json.dumps({{"wrote": [str(w) for w in wrote], "cwd": os.getcwd()}})
""")
SEARCH_EVERYWHERE = textwrap.dedent(f"""
    import json, os
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if b"{MARKER}" in os.pread(int(name), 1 << 20, 0):
                found.append("fd " + name)
        except OSError:
            pass
    roots = {{os.getcwd(), os.path.dirname(os.getcwd()), "/tmp", "/dev/shm", "/var/tmp",
             os.environ.get("MPLCONFIGDIR", "")}}
    for root in filter(None, roots):
        for folder, _, files in os.walk(root):
            for file in files:
                try:
                    with open(os.path.join(folder, file), "rb") as handle:
                        if b"{MARKER}" in handle.read(1 << 20):
                            found.append(os.path.join(folder, file))
                except OSError:
                    pass
    report = json.dumps({{"found": found, "cwd": os.getcwd()}})
""")


def test_what_one_student_writes_no_later_student_reads(sandbox: Sandbox) -> None:
    """Student A writes a marker everywhere it can; student B, next in the same slot, finds it
    nowhere (A's own working folder included: it went with A)."""
    a = read_json(sandbox, [WRITE_EVERYWHERE])
    assert a["cwd"] in a["wrote"], a  # A could write, at least in its own folder
    b = read_json(sandbox, [SEARCH_EVERYWHERE])
    assert b["cwd"] != a["cwd"]
    assert b["found"] == [], b


LIST_PROCESSES = """
import json, os
def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError as error:
        return type(error).__name__
pids = sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
texts = {f"{pid}/{part}": read(f"/proc/{pid}/{part}") for pid in pids for part in PARTS}
report = json.dumps({
    "pids": pids[:20],
    "me": os.getpid(),
    "init": read("/proc/1/cmdline").split("\\0"),
    "leaks": sorted(key for key, text in texts.items() if any(n in text for n in NEEDLES)),
})
"""


def test_proc_shows_the_child_and_nothing_of_the_host(sandbox: Sandbox) -> None:
    """/proc lists only the child's own PID namespace: the child is PID 1, no host process's
    command line, environment or open files (this test's own pytest, the grader's paths) show."""
    needles = ["pytest", PACKAGE_DIR]
    parts = ["cmdline", "environ", "maps"]
    setup = f"NEEDLES, PARTS = {needles!r}, {parts!r}"
    found = read_json(sandbox, [setup, LIST_PROCESSES])
    assert found["me"] == 1 and found["pids"] == [1], found["pids"]
    assert "autograders.sandbox.child.zygote" in " ".join(found["init"]), found["init"]
    assert found["leaks"] == [], found["leaks"]
