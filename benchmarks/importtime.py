"""What a taper command imports on top of a bare typer app (python -X importtime).

    .venv/bin/python benchmarks/importtime.py [-- TAPER ARGS...]

Default command: `taper plan -g se-vgr --med "oxazepam 30 mg" --start 2026-01-05 --format json`.
Lists the modules the command loads that the bare app (benchmarks/bare_typer_app.py hello)
does not, by their own import time, and the total of those: the start-up budget taper spends
on imports. Candidates for lazy imports are large entries that the command does not need.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env() -> dict[str, str]:
    """The environment of an installed taper: bytecode caching on (pip compiles .pyc files on
    install), in a cache folder outside the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "taper-bench-pycache")
    return env


DEFAULT = ["plan", "-g", "se-vgr", "--med", "oxazepam 30 mg", "--start", "2026-01-05"]
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def imports(argv: list[str]) -> dict[str, tuple[int, int]]:
    """module -> (own µs, cumulative µs) from a run with -X importtime (after a warm-up run
    that writes the bytecode caches)."""
    subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, env=bench_env())
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=ROOT, capture_output=True, text=True, check=False, env=bench_env(),
    )  # fmt: skip
    found: dict[str, tuple[int, int]] = {}
    for line in result.stderr.splitlines():
        match = LINE.match(line)
        if match:
            found[match.group(4)] = (int(match.group(1)), int(match.group(2)))
    return found


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    command = args or [*DEFAULT, "--format", "json"]
    bare = imports([str(ROOT / "benchmarks" / "bare_typer_app.py"), "hello"])
    taper = imports(["-m", "taper", *command])
    extra = {name: t for name, t in taper.items() if name not in bare}
    total = sum(own for own, _ in extra.values())
    print(f"taper {' '.join(command)}")
    print(f"{len(extra)} modules beyond the bare typer app, {total / 1000:.1f} ms of imports\n")
    print("| module | own (ms) | with its imports (ms) |")
    print("|---|---:|---:|")
    for name, (own, cumulative) in sorted(extra.items(), key=lambda kv: -kv[1][1])[:30]:
        print(f"| {name} | {own / 1000:.1f} | {cumulative / 1000:.1f} |")
    by_package: dict[str, int] = {}
    for name, (own, _) in extra.items():
        top = name.split(".")[0] if not name.startswith("taper.") else ".".join(name.split(".")[:2])
        by_package[top] = by_package.get(top, 0) + own
    print("\nOwn import time by package (ms):")
    for name, own in sorted(by_package.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {name:32} {own / 1000:6.1f}")


if __name__ == "__main__":
    main()
