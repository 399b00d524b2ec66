"""The planner alone, cold and with its memo: make_plan plans per second on one core.

    .venv/bin/python benchmarks/bench_planner.py [--patients 5000] [--repeat 3]

Uses the clinic list of `bench_batch.py` (a fixed seed; start dates spread over a year, so
most patients share a rule file, drug, dose and options with another patient) and reports the
median of `--repeat` runs (CPU time of this process, steadier than wall time on a shared
machine) of:

  - cold: every plan made from scratch (the memo of plan skeletons emptied before each
    patient; the per-kit tablet tables and taper trajectories stay warm, as in any batch);
  - list: the list in order with the memo as a batch uses it (emptied before the run, so the
    first patient of each combination pays the cold price).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from benchmarks.bench_batch import generate
    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, builder, make_plan

    patients, _ = generate(args.patients)
    loaded = {gid: load_guideline(gid) for gid in {p.guideline for p in patients}}
    jobs = [
        (
            [parse_medication(p.medication)],
            loaded[p.guideline],
            PlanOptions(start=dt.date.fromisoformat(p.start)),
        )
        for p in patients
    ]
    # getattr: the script also measures versions of the planner from before the memo
    memo: dict[object, object] = getattr(builder, "_PLAN_MEMO", {})
    key = getattr(builder, "memo_key", lambda m, g, o: (g.sha256, tuple(m)))
    shared = len({key(m, g, o) for m, g, o in jobs})

    def cold() -> float:
        begin = time.process_time()
        for meds, rules, options in jobs:
            memo.clear()
            make_plan(meds, rules, options)
        return len(jobs) / (time.process_time() - begin)

    def listed() -> float:
        memo.clear()
        begin = time.process_time()
        for meds, rules, options in jobs:
            make_plan(meds, rules, options)
        return len(jobs) / (time.process_time() - begin)

    print(f"{len(jobs)} patients, {shared} distinct (rule file, medications, options)")
    for label, run in (("cold (no memo)", cold), ("list (memo)", listed)):
        rates = [run() for _ in range(args.repeat)]
        shown = ", ".join(f"{r:,.0f}" for r in rates)
        print(f"make_plan {label}: median {statistics.median(rates):,.0f} plans/s ({shown})")


if __name__ == "__main__":
    main()
