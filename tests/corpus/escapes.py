"""Attacks on the machine: looking for the instructor's files, writing course files and
reports, detached processes, planted start-up files, the network. Each also holds honest
answers, which must keep their points.

Attacks that could do harm if they succeeded are built to fail loudly instead: when one gets
through, the answer that depends on it raises, so the escape shows up as a lost point with the
reason in the feedback, besides the after-run checks of tests/grader/test_corpus.py (which use
the markers below).
"""

from __future__ import annotations

from tests.corpus.answers import cell
from tests.corpus.spec import REFERENCE, Submission, zero

LISTEN_PORT = 29613  # below the ephemeral range; the tests listen here and expect no connection
BACKGROUND_MARKER = "corpus-background-marker"  # in the command line of every detached process
TAMPER_MARK = "corpus-" + "tamper-mark"  # written by escapes; split so no source file holds it
PLANTED_NAME = "corpus_planted"  # file names of planted start-up files

# A background script: waits until grading is probably over, then tries to rewrite reports.
BACKGROUND_SCRIPT = f"""
# {BACKGROUND_MARKER}
import glob, time
time.sleep(1.5)
for _ in range(60):
    for pattern in ("/tmp/pytest-of-*/pytest-*/corpus*/out/*/results.json",
                    "/tmp/pytest-of-*/pytest-*/corpus*/out/grades.csv"):
        for path in glob.glob(pattern):
            try:
                with open(path, "a") as handle:
                    handle.write("corpus-" + "tamper-mark")
            except OSError:
                pass
    time.sleep(0.5)
"""

ESCAPE_CHECK = """
if ESCAPED:
    raise RuntimeError(f"the sandbox let this through: {ESCAPED}")
"""

WRITES_COURSE_FILES = cell(f"""
    import glob
    import os

    _here = os.getcwd()
    _targets = [
        "../../../../gradebook.db", "../../../gradebook.db", "../../gradebook.db",
        "../gradebook.db", "/work/main/gradebook.db", "/work/gradebook.db",
        os.path.expanduser("~/../gradebook.db"), os.path.expanduser("~/../../gradebook.db"),
        "/work/main/nbgrader_config.py", "../nbgrader_config.py", "../../nbgrader_config.py",
        "/work/main/source/derivatives/derivatives.ipynb",
        "/work/main/release/derivatives/derivatives.ipynb",
        "/work/main/autograders/references.py", "/work/main/autograders/problems/__init__.py",
        "/work/main/submitted/gradebook.db", "/tmp/gradebook.db",
    ]
    for _pattern in ("/*/*/gradebook.db", "/*/*/nbgrader_config.py",
                     "/tmp/pytest-of-*/pytest-*/corpus*/out/*/results.json",
                     "/tmp/pytest-of-*/pytest-*/corpus*/out/grades.csv"):
        _targets += glob.glob(_pattern)
    ESCAPED = []
    for _path in _targets:
        _full = os.path.realpath(_path)
        if _full.startswith(_here + os.sep):
            continue
        try:
            _existed = os.path.exists(_full)
            with open(_full, "a") as _handle:  # appends nothing to a file that exists
                if not _existed:
                    # split: the feedback shows this source
                    _handle.write({TAMPER_MARK[:7]!r} + {TAMPER_MARK[7:]!r})
            ESCAPED.append(_full)
        except OSError:
            pass
""")

PLANTS_STARTUP_FILES = cell(f'''
    import glob
    import os
    import site
    import sys

    _here = os.getcwd()
    _py = "import os; os.environ.setdefault('CORPUS_PLANTED', '1')\\n"
    _ip = get_ipython()
    _plants = [
        os.path.expanduser("~/.ipython/profile_default/startup/00-{PLANTED_NAME}.py"),
        os.path.join(_ip.profile_dir.startup_dir, "00-{PLANTED_NAME}.py"),
        os.path.join(_ip.ipython_dir, "profile_default", "startup", "00-{PLANTED_NAME}.py"),
        "/root/.ipython/profile_default/startup/00-{PLANTED_NAME}.py",
        os.path.join(site.getusersitepackages(), "{PLANTED_NAME}.pth"),
        "/root/.local/lib/python3.11/site-packages/{PLANTED_NAME}.pth",
        "/root/.local/lib/python3.11/site-packages/sitecustomize.py",
        "/root/.local/lib/python3.11/site-packages/usercustomize.py",
        os.path.join(sys.prefix, "lib", "python3.11", "site-packages", "{PLANTED_NAME}.pth"),
        os.path.join(sys.base_prefix, "lib", "python3.11", "site-packages", "{PLANTED_NAME}.pth"),
    ]
    _plants += [os.path.join(h, ".ipython/profile_default/startup/00-{PLANTED_NAME}.py")
                for h in glob.glob("/home/*")]
    ESCAPED = []
    for _path in _plants:
        _full = os.path.realpath(_path)
        try:
            os.makedirs(os.path.dirname(_full), exist_ok=True)
            with open(_full, "w") as _handle:
                _handle.write(_py)
            if not _full.startswith(_here + os.sep):
                ESCAPED.append(_full)
        except OSError:
            pass
''')

NETWORK = cell(f"""
    import socket


    def _try_network():
        reached = []
        for host, port in (("127.0.0.1", {LISTEN_PORT}), ("localhost", {LISTEN_PORT}),
                           ("1.1.1.1", 443), ("8.8.8.8", 53)):
            try:
                with socket.create_connection((host, port), timeout=1.0):
                    reached.append(f"tcp {{host}}:{{port}}")
            except OSError:
                pass
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.settimeout(1.0)
                udp.sendto(b"hello", ("8.8.8.8", 53))
                udp.recvfrom(512)
                reached.append("udp 8.8.8.8:53")
        except OSError:
            pass
        return reached
""")

ESCAPES = [
    Submission(
        "searches_disk_for_solutions",
        ("find_solutions",),
        answers={
            "derivative_at": cell("""
                import glob
                import json
                import os
                import time

                _MARKER = "### BEGIN " + "SOLUTION"
                _FOUND = []


                def _find_notebooks(budget=1.5):
                    if _FOUND:
                        return _FOUND[0]
                    start, found = time.monotonic(), []
                    _FOUND.append(found)
                    roots = ["/work", "/root", "/home", "/srv", "/opt", "/tmp", "/var/tmp", "/"]
                    here = os.getcwd()
                    while here != "/":
                        roots.append(here)
                        here = os.path.dirname(here)
                    for pattern in ("/*/*/source/derivatives/*.ipynb",
                                    "/*/source/derivatives/*.ipynb", "/**/derivatives/*.ipynb"):
                        found += glob.glob(pattern)
                    for root in roots:
                        for path, dirs, files in os.walk(root):
                            if time.monotonic() - start > budget:
                                return found
                            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr", ".venv")]
                            found += [os.path.join(path, f) for f in files if f.endswith(".ipynb")]
                    return found


                def derivative_at(f, x0):
                    namespace = {"torch": torch}
                    for path in _find_notebooks():
                        try:
                            with open(path) as handle:
                                cells = json.load(handle)["cells"]
                        except (OSError, ValueError, KeyError):
                            continue
                        for c in cells:
                            source = "".join(c.get("source", ""))
                            if _MARKER in source:
                                try:
                                    exec(source, namespace)
                                except Exception:
                                    pass
                    if "derivative_at" in namespace:
                        return namespace["derivative_at"](f, x0)
                    return None
            """),
            "partial_derivatives": cell("""
                import importlib
                import sys


                def partial_derivatives(f, u0, v0):
                    modules = [m for name, m in list(sys.modules.items())
                               if name.startswith("autograders")]
                    for name in ("autograders.references", "autograders.problems",
                                 "autograders.rubric", "autograders.compare"):
                        try:
                            modules.append(importlib.import_module(name))
                        except BaseException:
                            pass
                    expression, frame = None, sys._getframe(1)
                    while frame is not None and expression is None:
                        op = frame.f_locals.get("op")  # the grader's request, if any
                        if isinstance(op, dict) and op.get("args"):
                            expression = op["args"][0].get("function")
                        frame = frame.f_back
                    for module in modules:
                        partials = getattr(module, "partials", None)
                        if callable(partials) and expression:
                            return partials(expression, [u0], [v0])
                    return None
            """),
        },
        expected=zero("derivative_at", "partial_derivatives"),
    ),
    Submission(
        "writes_course_files",
        ("write_files",),
        answers={"derivative_at": WRITES_COURSE_FILES + ESCAPE_CHECK + REFERENCE},
    ),
    Submission(
        "background_process_rewrites_results",
        ("background", "write_files"),
        answers={
            "derivative_at": cell(f"""
                import subprocess
                import sys
                import threading
                import time

                SCRIPT = {BACKGROUND_SCRIPT!r}
                DETACHED = subprocess.Popen([sys.executable, "-c", SCRIPT],
                                            start_new_session=True, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)


                def _spin():
                    while True:
                        time.sleep(0.05)


                threading.Thread(target=_spin, daemon=False).start()
            """)
            + REFERENCE,
        },
    ),
    Submission(
        "double_fork_daemon",
        ("background",),
        answers={
            "partial_derivatives": cell(f"""
            import os
            import sys

            SCRIPT = {BACKGROUND_SCRIPT!r}
            _started = []


            def _daemonize():
                pid = os.fork()
                if pid == 0:
                    try:
                        os.setsid()
                        if os.fork() == 0:
                            os.execv(sys.executable, [sys.executable, "-c", SCRIPT])
                    finally:
                        os._exit(0)
                os.waitpid(pid, 0)


            def partial_derivatives(f, u0, v0):
                if not _started:
                    _started.append(True)
                    _daemonize()
                u = torch.tensor(float(u0), requires_grad=True)
                v = torch.tensor(float(v0), requires_grad=True)
                f(u, v).backward()
                return u.grad, v.grad
        """)
        },
    ),
    Submission(
        "forked_copy_keeps_running",
        ("background", "process_death"),
        answers={
            "derivative_at": cell("""
            import os

            _forked = []


            def derivative_at(f, x0):
                if not _forked:  # the copy is never stopped: it returns and carries on too
                    _forked.append(os.fork())
                x = torch.tensor(float(x0), requires_grad=True)
                f(x).backward()
                return x.grad
        """)
        },
    ),
    Submission(
        "plants_startup_files",
        ("plant_startup",),
        answers={"leaf_answers": PLANTS_STARTUP_FILES + ESCAPE_CHECK + REFERENCE},
    ),
    Submission(
        "uses_network",
        ("network",),
        answers={
            "leaf_answers": NETWORK + "\nESCAPED = _try_network()\n" + ESCAPE_CHECK + REFERENCE,
            "partial_derivatives": NETWORK
            + cell("""
                def partial_derivatives(f, u0, v0):
                    reached = _try_network()
                    if reached:
                        raise RuntimeError(f"the sandbox let this through: {reached}")
                    u = torch.tensor(float(u0), requires_grad=True)
                    v = torch.tensor(float(v0), requires_grad=True)
                    f(u, v).backward()
                    return u.grad, v.grad
            """),
        },
    ),
]
