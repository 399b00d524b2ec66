#!/usr/bin/env bash
# Re-resolve requirements/lock.txt from pyproject.toml (and the build backend in
# requirements/build.in): exact versions with hashes of every runtime, optional and development
# dependency, for every platform and Python >= 3.11. Called by `bash tools/check.sh --upgrade`
# (newest releases) and by hand with no argument (keep what is locked, add what is new).
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
"$UV" pip compile pyproject.toml requirements/build.in \
  --extra dev --extra all --universal --python-version 3.11 --generate-hashes \
  --custom-compile-command "bash tools/lock.sh" -q "$@" -o requirements/lock.txt
