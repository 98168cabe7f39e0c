#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, when it builds the autograder image.
# It installs Python 3.11 or newer and this project (from the wheel next to this script) with the
# CPU build of torch into $AUTOGRADER_ROOT/venv, the environment run_autograder uses.
#
# AUTOGRADERS_SETUP_PYTHON=/path/to/python (tests only): no apt, no pip. The venv is a wrapper
# around that interpreter, which must already have this project's dependencies; the project's
# own code is still taken from the wheel, unpacked next to it.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$(cd "$(dirname "$0")" && pwd)"
WHEEL="$(ls "$SOURCE"/*.whl | head -n 1)"
VENV="$ROOT/venv"

if [ -n "${AUTOGRADERS_SETUP_PYTHON:-}" ]; then
    mkdir -p "$VENV/bin" "$VENV/wheel"
    "$AUTOGRADERS_SETUP_PYTHON" -m zipfile -e "$WHEEL" "$VENV/wheel"
    cat > "$VENV/bin/python" <<WRAPPER
#!/bin/sh
PYTHONPATH="$VENV/wheel\${PYTHONPATH:+:\$PYTHONPATH}" exec "$AUTOGRADERS_SETUP_PYTHON" "\$@"
WRAPPER
    chmod 755 "$VENV/bin/python"
    exit 0
fi

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! PYTHON="$(find_python)"; then
    # Gradescope's Ubuntu 22.04 image has Python 3.10; its universe archive has 3.11.
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3.11 python3.11-venv
    PYTHON="$(find_python)"
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The CPU index first: its torch (2.x.y+cpu) wins over PyPI's multi-GB CUDA build.
"$VENV/bin/python" -m pip install --quiet -c "$SOURCE/constraints.txt" \
    --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple \
    "$WHEEL"
"$VENV/bin/python" -c 'import autograders, torch; print("autograders ready, torch", torch.__version__)'
