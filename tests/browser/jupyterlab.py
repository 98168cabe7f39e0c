"""JupyterLab as a person uses it, driven in Chromium: start it on loopback, open, run, read.

The server is a real `jupyter lab` on 127.0.0.1 with a token, in a throw-away HOME with its own
Jupyter config, runtime, settings and workspaces folders, so nothing of the machine's own
Jupyter set-up (or of another test) leaks in. Two settings differ from JupyterLab's defaults,
each for a reason a test can see: notebooks render every cell (JupyterLab 4 leaves cells that
are off screen out of the page, so their outputs and images could not be read), and the news
and update pop-ups are off (they cover the toolbar).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.assignment.assignment_support import tool_env

SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
# docs/students.md: the instructor's panels a student switches off. `--level=user` writes to
# the throw-away JUPYTER_CONFIG_DIR; without it, inside a venv, the venv itself would change.
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT
    token: str
    root: Path
    log: Path

    def address(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.url}{path}{separator}token={self.token}"


def lab_environment(home: Path) -> dict[str, str]:
    """tool_env() with HOME and every Jupyter folder under `home`, and JupyterLab's settings."""
    settings = home / "lab-settings"
    for relative, values in SETTINGS.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return tool_env() | {
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
    }


def disable_instructor_extensions(home: Path) -> None:
    """Run docs/students.md's `jupyter labextension disable` for the student in `home`."""
    for plugin in INSTRUCTOR_PLUGINS:
        command = [sys.executable, "-m", "jupyter", "labextension", "disable", "--level=user"]
        subprocess.run([*command, plugin], env=lab_environment(home), check=True, timeout=120)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, patience: float = 120.0) -> None:
    """Wait until a Jupyter server started as `process` answers `url`; its log on failure."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def jupyter_lab(root: Path, home: Path, *extra: str, env: dict | None = None) -> Iterator[Lab]:
    """`jupyter lab` serving `root` (also its working folder) until the block ends.

    `extra` arguments go to `jupyter lab` as given (e.g. `--config=jupyter_server_config.py`);
    `env` adds to lab_environment(home).
    """
    home.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    log = home / "jupyter-lab.log"
    command = [
        *(sys.executable, "-m", "jupyter", "lab", *extra),
        *(f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0"),
        *(f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False"),
        f"--ServerApp.root_dir={root}",
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, cwd=root, env=lab_environment(home) | (env or {}), stdout=out, stderr=out
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        wait_until_up(lab.address("/api/status"), process, log)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
