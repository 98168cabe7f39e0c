#!/usr/bin/env bash
# The three flows on the bundled sample class: release, grade, show the grades.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"  # nbgrader runs `alembic` from here

echo "== 1. release: nbgrader generate_assignment derivatives"
nbgrader generate_assignment derivatives --force --log-level=WARN
git diff --quiet -- release 2>/dev/null || echo "note: release/ differs from the committed one"

echo "== 2. grade: python -m autograders grade samples/submitted --out demo-out"
python -m autograders grade samples/submitted --out demo-out

echo "== 3. grades (demo-out/grades.csv; feedback in demo-out/<student>/feedback.html)"
python - <<'PY'
import csv
rows = list(csv.reader(open("demo-out/grades.csv")))
widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for row in rows:
    print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
PY
