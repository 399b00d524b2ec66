#!/usr/bin/env bash
# Every gate in one command: a fresh venv from pyproject.toml, then ruff, mypy --strict, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${TAPER_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[dev,all]"
echo "== ruff"; "$VENV/bin/ruff" check taper tests benchmarks
echo "== ruff format"; "$VENV/bin/ruff" format --check taper tests benchmarks
echo "== mypy --strict"; "$VENV/bin/mypy"
echo "== pytest"; "$VENV/bin/pytest" -p no:cacheprovider
