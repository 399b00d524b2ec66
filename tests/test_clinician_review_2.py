"""Defects from the second clinician review (helper-notes/clinician-review-2.md), each pinned
by the review item it comes from. Panel patients are planned as tests/panel.py plans them."""

from __future__ import annotations

from decimal import Decimal

from panel import PANEL, Patient, plan_of

from taper.plan.model import Plan, Step


def patient(panel_id: str) -> Patient:
    return next(p for p in PANEL if p.id == panel_id)


def taper_steps(plan: Plan, drug: str) -> list[Step]:
    return [s for s in plan.steps if s.drug == drug and s.phase == "taper"]


def test_review2_item5_no02_step14_takes_the_makeable_10_mg_not_8() -> None:
    """Review 2, no-02 step 14: 12 -> 8 mg diazepam (-33 %) although 10 mg (2 + 4 + 4, no
    dose time rising) was makeable within the rule's step; the dose times' rules lowered an
    unshareable 9 mg to 8 instead of trying 10 first."""
    steps = taper_steps(plan_of(patient("no-02")), "diazepam")
    doses = [s.dose for s in steps]
    at = doses.index(Decimal(12))
    after = next(s for s in steps[at:] if s.dose < 12)
    assert after.dose == Decimal(10)
    assert [d.amount for d in after.doses] == [Decimal(2), Decimal(4), Decimal(4)]
