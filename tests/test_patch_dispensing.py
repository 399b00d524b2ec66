"""Clinician review 14, D4: no-helsedir fentanyl 12 mcg/h beside alprazolam 0.5 mg (switch)
dispensed 16 patches for 15 worn: the fentanyl row that another drug's change split began in
the middle of a patch (3 February; the patch went on 2 February) and was counted by its length
(8 days: 3 patches) instead of by the change days in it (5 and 8 February: 2). A spare
fentanyl patch at home is a risk. A patch step is now counted by the patches put on in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.plan.patches import patches_for, patches_put_on

START = dt.date(2026, 1, 5)


def plan(guideline: str, *meds: str, switch: bool = False) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds],
        load_guideline(guideline),
        PlanOptions(start=START, switch=switch),
    )


def change_days_worn(made: Plan, drug: str, every: int) -> int:
    """Patches the plan puts on: on each change day from the first fixed-dose patch, the
    patches of the step that day (37 mcg/h: a 25 and a 12)."""
    worn = [s for s in made.steps if s.drug == drug and s.dose > 0 and s.phase != "mapping"]
    first = min(s.start for s in worn)
    total = Decimal(0)
    for step in worn:
        per_change = sum(t.count for dose in step.doses for t in dose.tablets)
        days = [step.start + dt.timedelta(days=n) for n in range((step.end - step.start).days + 1)]
        total += per_change * sum(1 for day in days if (day - first).days % every == 0)
    return int(total)


def test_review14_d4_fentanyl_beside_alprazolam_dispenses_the_15_patches_worn() -> None:
    made = plan("no-helsedir", "fentanyl 12 mcg/h", "alprazolam 0.5 mg", switch=True)
    patches = [d for d in made.dispensing if d.drug == "fentanyl"]
    steps = {s.index: s for s in made.steps}
    assert [(steps[d.step].start, d.tablets) for d in patches] == [
        (dt.date(2026, 1, 12), Decimal(5)),
        (dt.date(2026, 1, 27), Decimal(3)),
        (dt.date(2026, 2, 3), Decimal(2)),  # was 3: its first days wear 2 February's patch
        (dt.date(2026, 2, 11), Decimal(5)),
    ]
    assert sum(d.tablets for d in patches) == change_days_worn(made, "fentanyl", 3) == 15


def test_a_step_from_a_change_day_counts_as_its_length_says() -> None:
    assert patches_put_on(first=7, offset=7, days=15, hours=72) == patches_for(15, 72) == 5
    assert patches_put_on(first=7, offset=29, days=8, hours=72) == 2  # days 31 and 34
    assert patches_put_on(first=0, offset=0, days=14, hours=168) == 2


@settings(max_examples=60, deadline=None)
@given(
    rate=st.sampled_from(["12 mcg/h", "25 mcg/h", "50 mcg/h"]),
    other=st.sampled_from(["alprazolam 0.5 mg", "oxazepam 30 mg", "diazepam 10 mg", None]),
    guideline=st.sampled_from(["se-vgr", "no-helsedir", "uk-ashton"]),
)
def test_a_plan_dispenses_one_patch_for_each_change_day(
    rate: str, other: str | None, guideline: str
) -> None:
    meds = [f"fentanyl {rate}", *([other] if other else [])]
    try:
        made = plan(guideline, *meds, switch=True)
    except Exception:  # a refusal is another test's business
        return
    dispensed = sum(d.tablets for d in made.dispensing if d.drug == "fentanyl")
    assert dispensed == Decimal(change_days_worn(made, "fentanyl", 3))
