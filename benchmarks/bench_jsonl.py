"""`taper batch --format jsonl` end to end: plans a second on one core, the speed-up with
--jobs 2, peak memory, and byte-identical output at every --jobs.

    .venv/bin/python benchmarks/bench_jsonl.py [--patients 20000] [--jobs 1,2]
    .venv/bin/python benchmarks/bench_jsonl.py --patients 100000 --jobs 1   # memory

The clinic list is bench_batch.py's (single-drug patients over the shipped rule files, a fixed
seed). Each run is the CLI as a subprocess under GNU `/usr/bin/time`, start-up and CSV
reading included: wall time, CPU time (user + system) and peak memory (the largest resident
set of any one process). Goal: 5,000 plans a second on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_batch import GOAL, bench_env, generate, write_csv


def run(csv_path: Path, out: Path, jobs: int) -> tuple[float, float, int, str]:
    """(seconds, CPU seconds, peak RSS in MiB of the largest process, sha256 of the output).

    Peak memory is `/usr/bin/time -f %M` (GNU time: the largest resident set of the run)."""
    command = [
        "/usr/bin/time",
        "-f",
        "%M %U %S",
        "-o",
        str(out) + ".time",
        sys.executable,
        "-m",
        "taper",
        "batch",
        str(csv_path),
        "--format",
        "jsonl",
        "--out",
        str(out),
        "--force",
        "--jobs",
        str(jobs),
    ]
    began = time.perf_counter()
    subprocess.run(command, check=True, env=bench_env(), stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - began
    kib, user, system = Path(str(out) + ".time").read_text().split()[-3:]
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return seconds, float(user) + float(system), int(kib) // 1024, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument("--jobs", default="1,2")
    args = parser.parse_args()
    patients, refused = generate(args.patients)
    print(f"{len(patients)} single-drug patients ({refused} refused combinations redrawn)")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "patients.csv"
        write_csv(patients, csv_path)
        digests = set()
        base = None
        for jobs in (int(j) for j in args.jobs.split(",")):
            seconds, cpu, mib, digest = run(csv_path, Path(tmp) / f"plans-{jobs}.jsonl", jobs)
            digests.add(digest)
            rate = len(patients) / seconds
            base = base or rate
            print(
                f"--jobs {jobs}: {seconds:.1f} s, {rate:,.0f} plans/s ({rate / base:.2f}x), "
                f"{len(patients) / cpu:,.0f} plans per CPU second, peak RSS {mib} MiB"
            )
        print("output identical at every --jobs:", len(digests) == 1)
        print(f"goal {GOAL:,} plans/s on one core")


if __name__ == "__main__":
    main()
