"""Where the planner spends its time: cProfile over make_plan for N generated patients.

    .venv/bin/python benchmarks/profile_planner.py [--patients 2000] [--top 25] [--cold]

`--cold` empties the planner's memo of plan skeletons before each patient (every plan from
scratch); without it the list is planned as a batch plans it.

Prints the functions with the most cumulative and the most own time (taper's code first).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cold", action="store_true", help="no memo: every plan from scratch")
    args = parser.parse_args()

    from benchmarks.bench_batch import generate
    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, builder, make_plan

    patients, _ = generate(args.patients)
    jobs = [
        (
            [parse_medication(p.medication)],
            load_guideline(p.guideline),
            PlanOptions(start=dt.date.fromisoformat(p.start)),
        )
        for p in patients
    ]
    memo = builder._PLAN_MEMO
    memo.clear()
    profile = cProfile.Profile()
    profile.enable()
    for meds, loaded, options in jobs:
        if args.cold:
            memo.clear()
        make_plan(meds, loaded, options)
    profile.disable()
    for order, only in (("cumulative", r"taper"), ("tottime", r"taper"), ("tottime", r"")):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(order).print_stats(only, args.top)
        scope = "taper's functions" if only else "all functions"
        print(f"== by {order} ({scope})\n{out.getvalue()}")


if __name__ == "__main__":
    main()
