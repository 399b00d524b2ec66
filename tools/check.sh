#!/usr/bin/env bash
# Every gate in one command: a fresh venv from pyproject.toml, then ruff, mypy --strict, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# System libraries the PDF tests need (WeasyPrint's Pango, a fixed font so page layout and
# golden text are the same everywhere): installed only when running as root and missing.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
  && { ! ldconfig -p | grep 'libpangoft2-1.0.so.0' >/dev/null \
       || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; }; then
  echo "== apt-get install (PDF libraries and fonts)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
fi
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
