"""Batch speed and memory: single-drug plans per second on one core.

    .venv/bin/python benchmarks/bench_batch.py [--patients 5000] [--format json] [--lang sv]
    .venv/bin/python benchmarks/bench_batch.py --patients 2000 --format all

Generates a clinic list of N single-drug patients spread over the shipped rule files (a fixed
seed, so every run plans the same patients) and measures:

  1. make_plan alone, in-process (the planner's own speed);
  2. render_plan alone over those plans, with the loaded guideline as the batch passes it
     (the renderer's own speed), and make_plan + render_plan together;
  3. `taper batch LIST --out-dir DIR` as a subprocess: end to end, start-up, CSV, files and
     summary included, with peak memory from `/usr/bin/time -v` where it exists.

`--format` takes one format, a comma-separated list, or `all` (every format but pdf, which
WeasyPrint makes slow by nature; name it to measure it, best with few patients). Each format
gets its own row: the plans are made once and rendered once per format.

Goal: at least 5,000 plans a second.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def bench_env() -> dict[str, str]:
    """The environment of an installed taper: bytecode caching on (pip compiles .pyc files on
    install), in a cache folder outside the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "taper-bench-pycache")
    return env


GOAL = 5000
DOSES = ["2", "5", "7,5", "10", "15", "20", "25", "30", "40", "50", "60", "80"]


@dataclass(frozen=True)
class Patient:
    patient_id: str
    guideline: str
    start: str
    medication: str


def plannable() -> list[tuple[str, str, str]]:
    """(guideline, drug, unit) for every drug a shipped formulary can make."""
    from taper.guideline.loader import load_guideline
    from taper.guideline.registry import builtin_ids

    out: list[tuple[str, str, str]] = []
    for gid in builtin_ids():
        guideline = load_guideline(gid).guideline
        units = {p.drug: p.unit for p in guideline.formulary if p.marketed}
        out += [(gid, drug.id, units[drug.id]) for drug in guideline.drugs if drug.id in units]
    return out


def generate(count: int, seed: int = 7) -> tuple[list[Patient], int]:
    """N patients the planner accepts (refused combinations are redrawn and counted)."""
    from taper.dose import parse_medication
    from taper.errors import TaperError
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan

    rng = random.Random(seed)
    choices = plannable()
    accepted: dict[tuple[str, str], bool] = {}
    patients: list[Patient] = []
    refused = 0
    while len(patients) < count:
        gid, drug, unit = rng.choice(choices)
        dose = rng.choice(DOSES) if unit == "mg" else rng.choice(["12", "25", "50"])
        medication = f"{drug} {dose} {unit}"
        key = (gid, medication)
        if key not in accepted:
            try:
                make_plan(
                    [parse_medication(medication)],
                    load_guideline(gid),
                    PlanOptions(start=dt.date(2026, 1, 5)),
                )
                accepted[key] = True
            except TaperError:
                accepted[key] = False
        if not accepted[key]:
            refused += 1
            continue
        start = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(365))
        patients.append(Patient(f"P{len(patients):06d}", gid, start.isoformat(), medication))
    return patients, refused


def write_csv(patients: list[Patient], path: Path) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["patient_id", "guideline", "start", "medication"])
    for p in patients:
        writer.writerow([p.patient_id, p.guideline, p.start, p.medication])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


FORMATS = ("json", "csv", "text", "markdown", "html", "ics", "fhir")  # "all"; pdf by name


@dataclass(frozen=True)
class Rates:
    fmt: str
    render: float  # render_plan alone, plans/s
    both: float  # make_plan + render_plan, plans/s
    cli: float  # taper batch end to end, plans/s of wall-clock time
    cli_cpu: float  # taper batch end to end, plans per CPU second (user + system)
    rss_kb: int | None


def make_plans(patients: list[Patient], lang: str | None) -> tuple[list[tuple[Any, Any]], float]:
    """The plans with their loaded guidelines, and the planner's seconds."""
    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan

    jobs = [
        (
            [parse_medication(p.medication)],
            load_guideline(p.guideline),
            PlanOptions(start=dt.date.fromisoformat(p.start), lang=lang),
        )
        for p in patients
    ]
    # Timed as `taper batch` plans: each plan dropped once made. Keeping thousands of plans
    # alive (as the list below does, for the renderers) makes the collector walk them all
    # again and again, which a batch never pays.
    start = time.perf_counter()
    for meds, loaded, options in jobs:
        make_plan(meds, loaded, options)
    planned = time.perf_counter() - start
    plans = [(make_plan(meds, loaded, options), loaded) for meds, loaded, options in jobs]
    return plans, planned


def render_seconds(plans: list[tuple[Any, Any]], fmt: str, lang: str | None) -> float:
    """render_plan over every plan, given the loaded guideline as `taper batch` gives it."""
    from taper.render import PlanFormat, render_plan

    start = time.perf_counter()
    for plan, loaded in plans:
        render_plan(plan, PlanFormat(fmt), lang or plan.language, guideline=loaded.guideline)
    return time.perf_counter() - start


def bench_cli(
    list_path: Path, out_dir: Path, fmt: str, lang: str | None, count: int
) -> tuple[float, float, int | None]:
    """Plans per second of wall-clock time and of CPU time, and the peak memory in KiB."""
    argv = [
        sys.executable, "-m", "taper", "batch", str(list_path), "--out-dir", str(out_dir),
        "--format", fmt, *(["--lang", lang] if lang else []),
    ]  # fmt: skip
    time_v = Path("/usr/bin/time")
    if time_v.exists():
        argv = [str(time_v), "-v", *argv]
    start = time.perf_counter()
    result = subprocess.run(
        argv, capture_output=True, text=True, check=False, cwd=ROOT, env=bench_env()
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"taper batch failed ({result.returncode}): {result.stderr[-2000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    cpu = sum(
        float(found.group(1))
        for found in re.finditer(r"(?:User|System) time \(seconds\): ([0-9.]+)", result.stderr)
    )
    per_cpu = count / cpu if cpu else float("nan")
    return count / elapsed, per_cpu, int(match.group(1)) if match else None


def formats(arg: str) -> list[str]:
    from taper.render import PlanFormat

    names = list(FORMATS) if arg == "all" else [f.strip() for f in arg.split(",") if f.strip()]
    for name in names:
        PlanFormat(name)  # ValueError for a misspelt format, before minutes of measuring
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--format", default="json", help="a format, a list f1,f2 or 'all'")
    parser.add_argument("--lang", choices=["sv", "nb", "en"], help="default: each guideline's")
    parser.add_argument("--no-cli", action="store_true", help="in-process measures only")
    args = parser.parse_args()
    wanted = formats(args.format)

    patients, refused = generate(args.patients)
    guidelines = sorted({p.guideline for p in patients})
    print(f"{len(patients)} single-drug patients over {', '.join(guidelines)}", end="")
    print(f" ({refused} refused combinations redrawn); Python {sys.version.split()[0]}\n")
    plans, planned = make_plans(patients, args.lang)
    count = len(patients)
    results: list[Rates] = []
    folder = Path(tempfile.mkdtemp(prefix="taper-bench-"))
    try:
        list_path = folder / "list.csv"
        write_csv(patients, list_path)
        for fmt in wanted:
            rendered = render_seconds(plans, fmt, args.lang)
            cli_rate, cli_cpu, rss_kb = (
                (float("nan"), float("nan"), None)
                if args.no_cli
                else bench_cli(list_path, folder / f"out-{fmt}", fmt, args.lang, count)
            )
            results.append(
                Rates(
                    fmt, count / rendered, count / (planned + rendered), cli_rate, cli_cpu, rss_kb
                )
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"make_plan alone (in-process): {count / planned:,.0f} plans/s\n")
    print(
        "| format | render_plan alone | make_plan + render_plan | taper batch end to end "
        "| per CPU second | goal >= 5,000 | peak memory |"
    )
    print("|---|---:|---:|---:|---:|:---:|---:|")
    for r in results:
        memory = f"{r.rss_kb / 1024:.0f} MiB" if r.rss_kb is not None else ""
        measured = r.cli == r.cli  # NaN (not measured, --no-cli) is not equal to itself
        cli = f"{r.cli:,.0f} /s" if measured else "–"
        cpu = f"{r.cli_cpu:,.0f} /s" if r.cli_cpu == r.cli_cpu else "–"
        goal = ("yes" if r.cli >= GOAL else "no") if measured else "–"
        print(
            f"| {r.fmt} | {r.render:,.0f} /s | {r.both:,.0f} /s | {cli} | {cpu} | {goal} "
            f"| {memory} |"
        )


if __name__ == "__main__":
    main()
