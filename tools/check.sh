#!/usr/bin/env bash
# Every gate in one command: a venv installed from the lock file (requirements/lock.txt: exact
# versions and hashes), then ruff, mypy --strict, pytest. Same result on any machine, any day.
#   bash tools/check.sh             install from the lock, run every gate
#   bash tools/check.sh --upgrade   first re-resolve the lock to the newest releases (a
#                                   deliberate commit of requirements/lock.txt with its test run)
set -euo pipefail
cd "$(dirname "$0")/.."
UPGRADE=0
case "${1-}" in
  "") ;;
  --upgrade) UPGRADE=1 ;;
  *) echo "usage: bash tools/check.sh [--upgrade]" >&2; exit 2 ;;
esac
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
# The printed sheet is also checked in headless Chromium (tests/test_sheet_print.py), and its
# PDFs are looked at page by page with poppler's pdftoppm: installed the same way.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
  && { ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; }; then
  echo "== apt-get install (Chromium and poppler-utils for the print checks)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium poppler-utils >/dev/null
fi
VENV=${TAPER_VENV:-.venv}
bash tools/install.sh
if [ "$UPGRADE" = 1 ]; then
  echo "== re-resolving requirements/lock.txt to the newest releases"
  UV="$VENV/bin/uv" bash tools/lock.sh --upgrade
  bash tools/install.sh
  git --no-pager diff --stat -- requirements/lock.txt || true
fi
echo "== ruff"; "$VENV/bin/ruff" check taper tests benchmarks
echo "== ruff format"; "$VENV/bin/ruff" format --check taper tests benchmarks
echo "== mypy --strict"; "$VENV/bin/mypy"
echo "== pytest"; "$VENV/bin/pytest" -p no:cacheprovider
