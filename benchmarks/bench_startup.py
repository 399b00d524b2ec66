"""Start-up time: taper commands against a bare typer app, in the same interpreter.

    .venv/bin/python benchmarks/bench_startup.py [--runs 30] [--no-hyperfine]

Uses hyperfine when it is installed (warm-up runs, many runs, medians from its JSON export),
otherwise a subprocess timing loop. Prints a markdown table of medians and the ratio of each
taper command to the bare app's matching command (goal: at most 1.3x), and, like for like, to
the bare app given taper's exit step (`gc.freeze()` at the end of a run, see
`bare_typer_app_exit_freeze.py`): the first ratio is the issue's measure, the second shows what
taper's own imports and work add.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env() -> dict[str, str]:
    """The environment of an installed taper: bytecode caching on (pip compiles .pyc files on
    install), in a cache folder outside the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "taper-bench-pycache")
    return env


PY = sys.executable
BARE = str(ROOT / "benchmarks" / "bare_typer_app.py")
BARE_FROZEN = str(ROOT / "benchmarks" / "bare_typer_app_exit_freeze.py")
GOAL = 1.3


@dataclass(frozen=True)
class Case:
    label: str
    argv: list[str]
    baseline: str | None  # label of the case this one is compared with
    like_for_like: str | None = None  # the same baseline with taper's exit freeze


def cases() -> list[Case]:
    rule_files = [str(p) for p in sorted((ROOT / "guidelines").glob("*.yaml"))]
    taper = [PY, "-m", "taper"]
    plan = ["plan", "-g", "se-vgr", "--med", "oxazepam 30 mg", "--start", "2026-01-05"]
    return [
        Case("bare: hello", [PY, BARE, "hello"], None),
        Case("bare: --help", [PY, BARE, "--help"], None),
        Case("bare+freeze: hello", [PY, BARE_FROZEN, "hello"], None),
        Case("bare+freeze: --help", [PY, BARE_FROZEN, "--help"], None),
        Case("taper --help", [*taper, "--help"], "bare: --help", "bare+freeze: --help"),
        Case(
            "taper plan (json)",
            [*taper, *plan, "--format", "json"],
            "bare: hello",
            "bare+freeze: hello",
        ),
        Case(
            "taper plan (text)",
            [*taper, *plan, "--format", "text"],
            "bare: hello",
            "bare+freeze: hello",
        ),
        Case(
            f"taper guidelines validate ({len(rule_files)} files)",
            [*taper, "guidelines", "validate", *rule_files],
            "bare: hello",
            "bare+freeze: hello",
        ),
    ]


def time_loop(argv: list[str], runs: int) -> list[float]:
    for _ in range(3):  # warm the file cache and .pyc files
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env=bench_env())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env=bench_env())
        times.append(time.perf_counter() - start)
    return times


def time_hyperfine(argv: list[str], runs: int) -> list[float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(
            [
                "hyperfine", "--warmup", "3", "--runs", str(runs), "-N", "-i",
                "--export-json", export.name, shlex.join(argv),
            ],
            cwd=ROOT, capture_output=True, check=True, env=bench_env(),
        )  # fmt: skip
        data = json.loads(Path(export.name).read_text())
    return [float(t) for t in data["results"][0]["times"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-hyperfine", action="store_true")
    args = parser.parse_args()
    use_hyperfine = shutil.which("hyperfine") is not None and not args.no_hyperfine
    tool = "hyperfine" if use_hyperfine else "subprocess loop"
    medians: dict[str, float] = {}
    print(f"Python {sys.version.split()[0]} at {PY}; {args.runs} runs each via {tool}\n")
    print("| command | median (ms) | vs bare app | goal <= 1.3x | like for like |")
    print("|---|---:|---:|:---:|---:|")
    for case in cases():
        run = time_hyperfine if use_hyperfine else time_loop
        times = run(case.argv, args.runs)
        medians[case.label] = statistics.median(times)
        median_ms = medians[case.label] * 1000
        if case.baseline is None:
            print(f"| {case.label} | {median_ms:.0f} | 1.00x | | |")
            continue
        ratio = medians[case.label] / medians[case.baseline]
        mark = "yes" if ratio <= GOAL else "no"
        fair = ""
        if case.like_for_like is not None:
            fair_ratio = medians[case.label] / medians[case.like_for_like]
            fair = f"{fair_ratio:.2f}x ({case.like_for_like})"
        print(
            f"| {case.label} | {median_ms:.0f} | {ratio:.2f}x ({case.baseline}) | {mark} | {fair} |"
        )


if __name__ == "__main__":
    main()
