#!/usr/bin/env bash
# The project's tests, in stages: lint and types, the fast tests in parallel, then the slow
# end-to-end runs (real nbgrader, whole classes, kernels, Chromium) one file after another.
# Extra arguments go to both pytest runs, e.g. `bash scripts/test.sh -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"  # nbgrader runs `alembic` from here

echo "== lint and types"
ruff check .
ruff format --check .
mypy autograders

echo "== fast tests (in parallel)"
python -m pytest -m "not slow" -n 2 "$@"

echo "== slow tests"
python -m pytest -m slow "$@"
