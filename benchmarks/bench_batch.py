"""Batch speed and memory: single-drug plans per second on one core.

    .venv/bin/python benchmarks/bench_batch.py [--patients 5000] [--format json]

Generates a clinic list of N single-drug patients spread over the shipped rule files (a fixed
seed, so every run plans the same patients) and measures:

  1. make_plan alone, in-process (the planner's own speed);
  2. make_plan + render_plan (what each batch row costs before it is written);
  3. `taper batch LIST --out-dir DIR` as a subprocess: end to end, start-up, CSV, files and
     summary included, with peak memory from `/usr/bin/time -v` where it exists.

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


def bench_in_process(patients: list[Patient], fmt: str) -> tuple[float, float]:
    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan
    from taper.render import PlanFormat, render_plan

    jobs = [
        (
            [parse_medication(p.medication)],
            load_guideline(p.guideline),
            PlanOptions(start=dt.date.fromisoformat(p.start)),
        )
        for p in patients
    ]
    start = time.perf_counter()
    plans = [make_plan(meds, loaded, options) for meds, loaded, options in jobs]
    planned = time.perf_counter() - start
    start = time.perf_counter()
    for plan in plans:
        render_plan(plan, PlanFormat(fmt), plan.language)
    rendered = time.perf_counter() - start
    return len(patients) / planned, len(patients) / (planned + rendered)


def bench_cli(list_path: Path, out_dir: Path, fmt: str, count: int) -> tuple[float, int | None]:
    argv = [
        sys.executable, "-m", "taper", "batch", str(list_path), "--out-dir", str(out_dir),
        "--format", fmt,
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
    return count / elapsed, int(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--format", default="json")
    args = parser.parse_args()

    patients, refused = generate(args.patients)
    guidelines = sorted({p.guideline for p in patients})
    print(f"{len(patients)} single-drug patients over {', '.join(guidelines)}", end="")
    print(f" ({refused} refused combinations redrawn); Python {sys.version.split()[0]}\n")
    plan_rate, render_rate = bench_in_process(patients, args.format)
    folder = Path(tempfile.mkdtemp(prefix="taper-bench-"))
    try:
        list_path = folder / "list.csv"
        write_csv(patients, list_path)
        cli_rate, rss_kb = bench_cli(list_path, folder / "out", args.format, len(patients))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("| measure | plans/s | goal >= 5,000 |")
    print("|---|---:|:---:|")
    for label, rate in [
        ("make_plan (in-process)", plan_rate),
        (f"make_plan + render_plan {args.format} (in-process)", render_rate),
        (f"taper batch --format {args.format} (subprocess, end to end)", cli_rate),
    ]:
        print(f"| {label} | {rate:,.0f} | {'yes' if rate >= GOAL else 'no'} |")
    if rss_kb is not None:
        print(f"\nPeak memory of `taper batch` ({len(patients)} patients): {rss_kb / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
