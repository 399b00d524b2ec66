#!/usr/bin/env bash
# Set up .venv (or $TAPER_VENV) with taper and exactly the versions in requirements/lock.txt
# (hashes checked), so the tool and its tests behave the same on any machine, any day.
# `pip install taper` elsewhere still takes the ranges in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${TAPER_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# --no-deps: the lock lists every dependency already; the build backend (hatchling) is in the
# lock too, so the editable install needs no unpinned build environment.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
  -r requirements/lock.txt
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
  --no-build-isolation -e .
