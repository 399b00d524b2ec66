"""An oral solution's tail goes on below the smallest tablet dose (clinician review defect 3,
R24/R25: "reject").

The tail used to stop where the tablets it replaced would have stopped (morphine from 15 mg,
tramadol from 50 mg under us-cdc-2022), after a 60-day hold, although the solution makes
1-2.5 mg steps: a hold in place of a step another product makes (COMMON.md), and a large
last cut where CDC says slow down at low doses.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import DoseAtTime, LiquidMeasure, Plan, Step, TabletCount
from taper.plan.regimen_invariants import regimen_problems
from taper.plan.review import ReviewMixin
from taper.plan.tracks import Seg, Track

START = dt.date(2027, 1, 11)
# us-cdc-2022, cdc-long-term: 30-day steps, at most three intervals at one dose (its
# max_hold_intervals), stop from at most 20 mg MME a day (its stop_dose), smallest monthly step
# 2.5 mg MME (its min_step); tramadol's MME factor is 0.2.
LONGEST_RUN_DAYS = 90
STOP_DOSE_MME = Decimal(20)
MME_FACTOR = {"morphine": Decimal(1), "tramadol": Decimal("0.2")}
# The smallest dose of the tablets the solution replaced: where the old tail stopped.
OLD_FLOOR = {"morphine": Decimal(15), "tramadol": Decimal(50)}


def plan(medication: str) -> Plan:
    loaded = load_guideline("us-cdc-2022")
    result = make_plan([parse_medication(medication)], loaded, PlanOptions(start=START))
    assert regimen_problems(result, loaded.guideline) == []
    # The mapping step of an "N mg 1+0+1" input shows the patient's own tablets, which
    # plan_problems counts as no tablets (a separate, known finding; not this defect).
    own = [f"step 1: {t} tablets make 0" for t in ("morning", "midday", "evening", "bedtime")]
    problems = plan_problems(result, loaded.guideline)
    assert [p for p in problems if not p.startswith(tuple(own))] == []
    return result


def on_solution(step: Step) -> bool:
    return any(t.liquid for d in step.doses for t in d.tablets)


CASES = [
    ("MS Contin 30 mg 1+0+1", "morphine"),  # R24
    ("tramadol 50 mg 1+1+1+1", "tramadol"),  # R25
    ("tramadol 200 mg", "tramadol"),
]


@pytest.mark.parametrize(("medication", "drug"), CASES)
def test_the_oral_solution_tail_goes_below_the_smallest_tablet_dose(
    medication: str, drug: str
) -> None:
    """R24/R25: the last dose before the stop is below the old floor and at or below the rule's
    stop dose, the stop is within the rule's step (not tablet-limited), and no hold stands
    before it."""
    result = plan(medication)
    steps = [s for s in result.steps if s.drug == drug]
    last = next(b for b, a in itertools.pairwise(steps) if a.dose == 0 and b.dose)
    assert on_solution(last)
    assert last.dose < OLD_FLOOR[drug]
    assert last.dose * MME_FACTOR[drug] <= STOP_DOSE_MME
    stop = steps[steps.index(last) + 1]
    assert not stop.tablet_limited
    assert last.days <= 31
    notes = " ".join(s.note or "" for s in result.steps)
    assert "smallest dose of the tablets it replaced" not in notes
    assert "held" not in notes


@pytest.mark.parametrize(("medication", "drug"), CASES)
def test_the_oral_solution_tail_keeps_the_rule_limits(medication: str, drug: str) -> None:
    """R24/R25: on the solution no run at one dose is longer than the rule's longest run, each
    cut is within the rule's pace or its smallest step as 0.5 ml makes it, and no dose at a
    dose time rises (a dropped time never returns)."""
    result = plan(medication)
    # The tail is the solution alone; the top-ups beside depot tablets before it (review-2
    # us-05) are pinned in tests/test_depot_topup.py.
    tail = [
        s
        for s in result.steps
        if s.drug == drug
        and s.phase == "taper"
        and on_solution(s)
        and all(t.liquid for d in s.doses for t in d.tablets)
    ]
    assert len(tail) > 5
    for step in tail:
        assert step.days <= LONGEST_RUN_DAYS
    smallest_step = Decimal("2.5") / MME_FACTOR[drug] * Decimal("1.5")
    for before, after in itertools.pairwise(tail):
        cut = before.dose - after.dose
        assert cut >= 0
        assert cut <= max(before.dose * Decimal("0.1"), smallest_step) + Decimal("0.5")
        was = {d.time: d.amount for d in before.doses}
        now = {d.time: d.amount for d in after.doses}
        assert set(now) <= set(was), (before.index, after.index)
        assert all(now[t] <= was[t] for t in now), (before.index, after.index)


@pytest.mark.parametrize(("medication", "drug"), CASES)
def test_no_false_hint_about_measuring_finer(medication: str, drug: str) -> None:
    """R24/R25: "measuring ... finer than 0.5 ml would allow smaller steps" was printed where
    0.5 ml already allowed smaller steps."""
    result = plan(medication)
    texts = " ".join(w.message for w in result.warnings if w.drug == drug)
    assert "finer than" not in texts


def test_the_finer_measure_hint_stays_where_the_measure_forces_the_cut() -> None:
    """R24/R25, the other side: where each larger cut on the solution is one 0.5 ml measure
    (the uk fixture's diazepam, 0.2 mg a measure, against 10 % steps below 2 mg), the hint
    that a finer measure would allow smaller steps is true and stays."""
    fixtures = Path(__file__).resolve().parent / "fixtures"
    loaded = load_guideline(str(fixtures / "plan-uk.yaml"))
    result = make_plan(
        [parse_medication("alprazolam 1.5 mg")], loaded, PlanOptions(start=dt.date(2025, 3, 3))
    )
    steps = [s for s in result.steps if s.drug == "diazepam"]
    cuts = [
        before.dose - after.dose
        for before, after in itertools.pairwise(steps)
        if after.tablet_limited and on_solution(before)
    ]
    assert cuts
    assert all(cut == Decimal("0.2") for cut in cuts)
    texts = " ".join(w.message for w in result.warnings if w.drug == "diazepam")
    assert "finer than 0.5 ml would allow smaller steps" in texts
    assert "fewer dose times" not in texts


class _Measure:
    """A solution kit's one measure: 1 mg (0.5 ml of 2 mg/ml)."""

    @staticmethod
    def amount(quanta: int) -> Decimal:
        return Decimal(quanta)


def _seg(amount: str, per_time: tuple[str, ...], limited: bool = False) -> Seg:
    liquid = LiquidMeasure(mg_per_ml=Decimal(2), device="oral-syringe", ml=Decimal(1))
    doses = [
        DoseAtTime(
            time=time,
            amount=Decimal(dose),
            tablets=[
                TabletCount(
                    brand="solution",
                    strength=Decimal(2),
                    unit="mg",
                    count=Decimal(dose) / 2,
                    liquid=liquid,
                )
            ],
        )
        for time, dose in zip(("morning", "evening"), per_time, strict=False)
    ]
    return Seg("taper", 0, 30, Decimal(amount), doses, tablet_limited=limited)


def test_the_finer_measure_hint_only_where_one_measure_is_the_cut() -> None:
    """R24/R25: a larger cut of one measure (1 mg) is the measure's; a larger cut of 3 mg (a
    whole dose time dropped) is not, and the hint must not blame the measure."""
    one = SimpleNamespace(kit=_Measure(), segs=[_seg("4", ("2", "2")), _seg("3", ("1", "2"), True)])
    three = SimpleNamespace(kit=_Measure(), segs=[_seg("4", ("1", "3")), _seg("1", ("1",), True)])
    assert ReviewMixin.measure_limits(cast(Track, one))
    assert not ReviewMixin.measure_limits(cast(Track, three))
