"""Fixtures of the browser tests: a graded copy of the course, the formgrader, and Chromium.

Chromium is Debian's (`apt-get install chromium`), driven by playwright's Python package;
playwright's own browser download is never used. The course is graded by real
`nbgrader autograde` with the committed nbgrader_config.py, and the formgrader is a real
`jupyter server` with the committed jupyter_server_config.py, on 127.0.0.1 with a token.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.assignment.assignment_support import ROOT, nbgrader, tool_env
from tests.browser.browser_payloads import build_class
from tests.browser.jupyterlab import free_port, wait_until_up

CHROMIUM = Path("/usr/bin/chromium")
KEPT = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class HitListener:
    """An HTTP server on 127.0.0.1 that records the path of every request: a payload that ran."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Record(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                hits.append(self.path)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class GradedCourse:
    root: Path
    autograde_log: str
    feedback_log: str
    students: set[str]  # the gradebook's students right after grading


@dataclass
class Formgrader:
    url: str  # http://127.0.0.1:PORT
    token: str
    log: Path


@pytest.fixture(scope="session")
def listener() -> Iterator[HitListener]:
    hits = HitListener()
    yield hits
    hits.close()


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory, listener: HitListener) -> GradedCourse:
    """A copy of the course with alice, mallory and a hostile-id folder, autograded, with
    nbgrader's feedback generated for every student."""
    course = tmp_path_factory.mktemp("browser-course")
    for name in ("nbgrader_config.py", "jupyter_server_config.py"):
        shutil.copy(ROOT / name, course)
    shutil.copytree(ROOT / "source", course / "source")
    nbgrader("generate_assignment", "derivatives", "--log-level=WARN", cwd=course)
    build_class(course / "submitted", listener.port)
    autograde = nbgrader("autograde", "derivatives", "--IsolatedExecute.timeout=10", cwd=course)
    feedback = nbgrader("generate_feedback", "derivatives", cwd=course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        students = {student.id for student in gradebook.students}
    return GradedCourse(course, autograde, feedback, students)


@contextlib.contextmanager
def serve(course: Path, runtime: Path, *, guarded: bool) -> Iterator[Formgrader]:
    """`jupyter server` in the course root, with the committed jupyter_server_config.py when
    `guarded`, else as nbgrader ships (its formgrader extension, no guard)."""
    port, token = free_port(), secrets.token_hex(16)
    env = tool_env() | {"JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_PLATFORM_DIRS": "1"}
    log = runtime / "server.log"
    command = [
        *(sys.executable, "-m", "jupyter", "server"),
        *(["--config=jupyter_server_config.py"] if guarded else []),
        *(f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0"),
        *(f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False"),
        f"--ServerApp.root_dir={course}",
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=course, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/status?token={token}", process, log, patience=90)
        yield Formgrader(url, token, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def formgrader(graded: GradedCourse, tmp_path_factory: pytest.TempPathFactory):
    """The formgrader as this course runs it: jupyter_server_config.py, the guard on."""
    with serve(graded.root, tmp_path_factory.mktemp("jupyter-runtime"), guarded=True) as server:
        yield server


@pytest.fixture
def stock_formgrader(graded: GradedCourse, tmp_path_factory: pytest.TempPathFactory):
    """The same course served without the guard (a control: stock nbgrader's behaviour)."""
    with serve(graded.root, tmp_path_factory.mktemp("stock-runtime"), guarded=False) as server:
        yield server


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium through playwright (never `playwright install`); its profile and
    crash reports go to a temporary folder, not the home folder other tests watch."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=env
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, listener: HitListener):
    """A fresh page; afterwards no payload may have reached the listener or opened a dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    first_hit = len(listener.hits)
    yield tab
    time.sleep(0.5)  # a fetch started by a payload arrives about now
    context.close()
    assert listener.hits[first_hit:] == [], "a payload ran and called the listener"
    assert tab.dialogs == [], "a payload opened a dialog"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where screenshots go: pytest's temporary folder, and afterwards a copy of the last run's
    in tests/browser/screenshots/ (not committed), for a person to look at."""
    folder = tmp_path_factory.mktemp("browser-screens")
    yield folder
    KEPT.mkdir(exist_ok=True)
    for shot in folder.glob("*.png"):
        shutil.copy(shot, KEPT / shot.name)


@pytest.fixture(scope="session", autouse=True)
def _no_proxy_for_loopback() -> Iterator[None]:
    old = os.environ.get("NO_PROXY")
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    yield
    if old is None:
        os.environ.pop("NO_PROXY", None)
    else:
        os.environ["NO_PROXY"] = old
