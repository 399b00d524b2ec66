"""Clinical review of main (physician + pharmacist), after issue 15: each finding pinned by
name. The invariants behind them are checked over all plans by the property in
test_plan_regimens.py (`taper.plan.regimen_invariants`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.holds import longest_run_days
from taper.plan.model import Plan
from taper.plan.regimen_invariants import regimen_problems
from taper.plan.rules import pace

START = dt.date(2027, 1, 4)


def plan(guideline: str, *meds: str, **options: object) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds],
        load_guideline(guideline),
        PlanOptions(start=START, **options),  # type: ignore[arg-type]
    )


def longest_run(result: Plan, drug: str, dose: Decimal) -> int:
    """The most consecutive taper days at `dose`."""
    best = run = 0
    for step in result.steps:
        if step.drug != drug:
            continue
        run = run + step.days if step.phase == "taper" and step.dose == dose else 0
        best = max(best, run)
    return best


# --- 1. a hold before a forced larger cut stops at the rule's longest run at one dose -------


@pytest.mark.parametrize(
    ("med", "held", "dose"),
    [
        ("oxazepam 30 mg", "oxazepam", Decimal(5)),
        ("alprazolam 3 mg", "alprazolam", Decimal("0.5")),
        ("diazepam 20 mg", "diazepam", Decimal(4)),
    ],
)
def test_se_vgr_forced_cut_is_not_held_105_days(med: str, held: str, dose: Decimal) -> None:
    result = plan("se-vgr", med)
    g = load_guideline("se-vgr").guideline
    assert regimen_problems(result, g) == []
    rule = next(r for r in g.taper_rules if r.id == result.applied_rules[0].rule)
    limit = longest_run_days(pace(rule, PlanOptions(start=START)))
    assert limit == 63  # 3 intervals of the 21-day slow-down steps
    assert longest_run(result, held, dose) == limit  # was 105 days
    warning = next(w for w in result.warnings if w.code == "tablet-limited")
    assert warning.severity == "high"
    assert "a longer hold would not make the cut smaller" in warning.message
    assert "larger than the rule's step" in warning.message
    assert "hold-too-long" not in {w.code for w in result.warnings}
