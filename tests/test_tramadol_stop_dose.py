"""Clinician review 13, D1 (helper-notes/clinician-review-13.md): se-vgr stopped tramadol
abruptly from 200 mg (se-13 at once, se-07 after 300 -> 250 -> 200 mg; 150 mg too), because
its stop dose of 20 mg oral morphine is 200 mg tramadol at the file's factor 0.1, and
`stop_instead_of_tail` stops there rather than start the immediate-release capsules. The
shared facts give tramadol 0.1-0.2 (clinical-facts.md §10 item 8); the rule files with that
stop now give tramadol its own stop dose at the top of the range: 100 mg."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan

START = dt.date(2026, 1, 5)
RULE_FILES = ("se-vgr", "no-helsedir", "uk-ashton")


def plan(guideline: str, *meds: str) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds], load_guideline(guideline), PlanOptions(start=START)
    )


def last_tramadol_dose(made: Plan) -> Decimal:
    taken = [s for s in made.steps if s.drug == "tramadol" and s.dose > 0]
    return max(taken, key=lambda s: s.start).dose


def test_every_rule_that_stops_instead_of_a_tail_stops_tramadol_from_at_most_100_mg() -> None:
    for guideline in RULE_FILES:
        rules = [
            r
            for r in load_guideline(guideline).guideline.taper_rules
            if r.stop_dose is not None and r.stop_dose.stop_instead_of_tail is not None
        ]
        assert rules, guideline
        for rule in rules:
            assert rule.stop_dose is not None
            amounts = {d.drug: (d.amount, d.unit) for d in rule.stop_dose.drugs}
            assert amounts["tramadol"] == (Decimal(100), "mg"), (guideline, rule.id)


@pytest.mark.parametrize("guideline", RULE_FILES)
@pytest.mark.parametrize("dose", ["150 mg", "200 mg", "300 mg"])
def test_tramadol_is_reduced_to_100_mg_before_it_stops(guideline: str, dose: str) -> None:
    made = plan(guideline, f"tramadol {dose}")
    assert last_tramadol_dose(made) <= 100
    doses = [s.dose for s in made.steps if s.drug == "tramadol" and s.phase == "taper"]
    assert min(doses) < Decimal(dose.split()[0])  # a real reduction before the stop


def test_se13_tramadol_beside_oxazepam_is_tapered_not_stopped_from_200_mg() -> None:
    made = plan("se-vgr", "oxazepam 20 mg", "tramadol 200 mg")
    assert last_tramadol_dose(made) == 100
    assert next(s.dose for s in made.steps if s.drug == "tramadol" and s.dose > 0) == 200
