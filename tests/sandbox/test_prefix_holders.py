"""Prefix holders: the release's leading cells run once per slot, and every child forked from
their holder is as separate from the holder and from the next child as any other.

Each test runs real cells in the real sandbox (warm process, holder, confined children) and
reads what the cells found back through the grader's own `variables` question, as plain data.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import textwrap
from pathlib import Path

import pytest
from sandboxed_notebook import TIMEOUTS, call, variables

from autograders.sandbox.host.pool import Prefix, Sandbox
from autograders.sandbox.host.session import NotebookRun, Question, Timeouts, run_notebook
from autograders.sandbox.limits import Limits

pytestmark = pytest.mark.slow

# The worked examples: they record the process they ran in, so a test can tell whether they
# ran once (in the holder) or again, and leave state of every kind behind for the students.
WORKED_EXAMPLES = [
    "import json, os, sys\nholder_pid = os.getpid()\nprint('worked example ran')",
    "shared = [1]\nconfig = {'scale': 2}",
    "%%writefile helper.py\ndef double(x):\n    return 2 * x",
    "import helper\nos.makedirs('lib', exist_ok=True)\n"
    "open('lib/in_lib.py', 'w').write('VALUE = 7\\n')\nsys.path.insert(0, os.path.abspath('lib'))",
    "with open('example.txt', 'w') as handle:\n    handle.write('from the worked example')",
]
REPORT = textwrap.dedent("""
    import in_lib
    report = json.dumps({
        "holder_pid": holder_pid, "me": os.getpid(), "shared": shared, "config": config,
        "dumps": json.dumps([1]), "double": helper.double(21), "in_lib": in_lib.VALUE,
        "example": open("example.txt").read(), "release_file": open("given.txt").read(),
        "cwd": os.path.relpath(os.getcwd(), os.environ["HOME"]),
    })
""")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(Limits(), workers=1) as made:
        yield made


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("release")
    (folder / "given.txt").write_text("shipped with the release")
    return folder


def prefix_of(sources: list[str], release: Path) -> Prefix:
    cells = tuple({"index": n, "source": source} for n, source in enumerate(sources))
    key = hashlib.sha256(json.dumps([str(release), sources]).encode()).hexdigest()
    return Prefix(key, cells, str(release))  # type: ignore[arg-type]  (Cell dicts)


def run_with_prefix(
    sandbox: Sandbox, prefix: Prefix, student_cells: list[str], names: tuple[str, ...] = ()
) -> NotebookRun:
    """Run the prefix then `student_cells` as one notebook, and ask for `names`."""
    sources = [cell["source"] for cell in prefix.cells] + student_cells
    cells = [{"index": 10 + n, "source": source} for n, source in enumerate(sources)]
    question = Question("read", [{"test_id": "read", "probes": [variables(*names or ("x",))]}])
    return run_notebook(sandbox, 0, cells, [question], TIMEOUTS, prefix)  # type: ignore[arg-type]


def read_report(sandbox: Sandbox, prefix: Prefix, student_cells: list[str]) -> dict:
    run = run_with_prefix(sandbox, prefix, [*student_cells, REPORT], ("report",))
    failed = {index: cell for index, cell in run.cells.items() if not cell["ok"]}
    assert not failed and not run.failures, (failed, run.failures, run.fatal_cells)
    found = run.answers["read"]["answers"][0]["values"]["report"]
    assert found["type"] == "str", found
    return json.loads(found["value"])


def test_the_worked_examples_run_once_and_children_see_what_they_left(
    sandbox: Sandbox, release: Path
) -> None:
    """Two notebooks with the same prefix: its cells ran once, in one holder, which neither
    child is; each child sees the state, files, folder and `sys.path` the cells left, and
    the release's own files, in a working folder of its own."""
    prefix = prefix_of(WORKED_EXAMPLES, release)
    first = run_with_prefix(sandbox, prefix, [REPORT], ("report",))
    assert first.cells[10]["ok"], first.cells[10]  # the prefix's report, at the cell's index
    assert "worked example ran" in json.dumps(first.cells[10]["outputs"])
    one, two = read_report(sandbox, prefix, []), read_report(sandbox, prefix, [])
    assert one["holder_pid"] == two["holder_pid"] != one["me"], (one, two)
    assert one == two
    assert one["shared"] == [1] and one["config"] == {"scale": 2} and one["dumps"] == "[1]"
    assert one["double"] == 42 and one["in_lib"] == 7 and one["cwd"] == "."
    assert one["example"] == "from the worked example"
    assert one["release_file"] == "shipped with the release"


# A student who attacks what the holder left: module globals, sys.modules, the files of the
# working folder and of the release's copy, the holder process itself.
TAMPER = textwrap.dedent("""
    import signal
    dumps = json.dumps
    shared.append("student a")
    config["scale"] = 1000
    sys.modules["json"].dumps = lambda *args, **kwargs: "forged"
    sys.modules["helper"].double = lambda x: 0
    for name in ("example.txt", "given.txt", "helper.py", "lib/in_lib.py"):
        with open(name, "w") as handle:
            handle.write("VALUE = 0\\ndef double(x):\\n    return 0\\n")
    tried = []
    for pid in {holder_pid, os.getppid()} - {0}:  # 0: the parent is outside the namespace
        try:
            os.kill(pid, signal.SIGKILL)
            tried.append(f"killed {pid}")
        except OSError as error:
            tried.append(type(error).__name__)
    tampered = dumps(tried)
""")


def test_what_a_student_changes_reaches_neither_the_holder_nor_the_next_student(
    sandbox: Sandbox, release: Path
) -> None:
    prefix = prefix_of(WORKED_EXAMPLES, release)
    before = read_report(sandbox, prefix, [])
    attack = run_with_prefix(sandbox, prefix, [TAMPER], ("tampered",))
    assert attack.cells[10 + len(WORKED_EXAMPLES)]["ok"], attack.cells
    tried = json.loads(attack.answers["read"]["answers"][0]["values"]["tampered"]["value"])
    assert not any(outcome.startswith("killed") for outcome in tried), tried
    after = read_report(sandbox, prefix, [])
    assert after == before  # the same holder (same pid), the same state, the same files
    assert (release / "given.txt").read_text() == "shipped with the release"


def test_a_crashing_child_is_replaced_from_the_same_holder(sandbox: Sandbox, release: Path):
    """A question that kills its child costs that question; the next child comes from the
    holder again (the prefix is not run in it)."""
    prefix = prefix_of(WORKED_EXAMPLES, release)
    cells = [
        {"index": n, "source": source}
        for n, source in enumerate(
            [cell["source"] for cell in prefix.cells] + ["def crash():\n    os._exit(3)"]
        )
    ]
    crash = Question("crash", [{"test_id": "crash", "probes": [call("crash")]}])
    read = Question("read", [{"test_id": "read", "probes": [variables("holder_pid", "shared")]}])
    run = run_notebook(sandbox, 0, cells, [crash, read], TIMEOUTS, prefix)  # type: ignore[arg-type]
    assert "crash" in run.failures, run.failures
    values = run.answers["read"]["answers"][0]["values"]
    assert values["holder_pid"]["value"] == read_report(sandbox, prefix, [])["holder_pid"]


def test_a_holder_that_dies_is_replaced(sandbox: Sandbox, release: Path) -> None:
    prefix = prefix_of(WORKED_EXAMPLES, release)
    first = read_report(sandbox, prefix, [])
    os.kill(first["holder_pid"], signal.SIGKILL)
    second = read_report(sandbox, prefix, [])
    assert second["holder_pid"] != first["holder_pid"]
    assert {**second, "holder_pid": 0, "me": 0} == {**first, "holder_pid": 0, "me": 0}


def test_a_prefix_that_leaves_shared_memory_is_not_held(sandbox: Sandbox, release: Path):
    """Memory mapped shared and writable would be a channel between students: the holder is
    refused and every child runs the whole notebook itself."""
    shares = [*WORKED_EXAMPLES, "import mmap\nchannel = mmap.mmap(-1, 4096)"]
    report = read_report(sandbox, prefix_of(shares, release), [])
    assert report["holder_pid"] == report["me"], report  # the child ran the prefix itself
    assert report["example"] == "from the worked example"


def test_a_worked_example_that_changes_folder_leaves_the_child_there(
    sandbox: Sandbox, release: Path
) -> None:
    """`%cd` in a worked example: the child stands in the same place of its own copy."""
    moves = [*WORKED_EXAMPLES, "os.makedirs('data', exist_ok=True)\n%cd data"]
    report = read_report(sandbox, prefix_of(moves, release), ["%cd .."])
    assert report["cwd"] == ".", report
    run = run_with_prefix(sandbox, prefix_of(moves, release), ["import os\nx = os.getcwd()"])
    where = run.answers["read"]["answers"][0]["values"]["x"]["value"]
    assert where.endswith("/data") and "holder" not in where, where


BOMB = textwrap.dedent("""
    def bomb():
        while True:
            try:
                os.fork()
            except OSError:
                pass
""")


def test_a_fork_bomb_in_a_holders_child_is_contained(sandbox: Sandbox, release: Path) -> None:
    """The slot's process cap holds for a holder's children: the bomb costs its question
    (a timeout), and the holder, in the same capped group, still forks the next child."""
    prefix = prefix_of(WORKED_EXAMPLES, release)
    before = read_report(sandbox, prefix, [])
    cells = [
        {"index": n, "source": source}
        for n, source in enumerate([cell["source"] for cell in prefix.cells] + [BOMB])
    ]
    bomb = Question("bomb", [{"test_id": "bomb", "probes": [call("bomb")]}])
    quick = Timeouts(cell=10, question=3, notebook=60)
    run = run_notebook(sandbox, 0, cells, [bomb], quick, prefix)  # type: ignore[arg-type]
    assert run.failures == {"bomb": "timed out"}, run.failures
    assert read_report(sandbox, prefix, []) == before  # the same holder, unharmed
