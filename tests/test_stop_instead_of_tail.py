"""Clinician review 12, D1, D2, D4 and D6 (helper-notes/clinician-review-12.md): an opioid
taper under se-vgr, no-helsedir or uk-ashton went on below the rule's stop dose with a new
product or one immediate-release dose a day (se-09 one 5 mg capsule a day after depot 5 + 5 mg;
se-10 six months of 1 mg steps of solution after 20 mg depot; no-05 and uk-11 one 50 mg
tramadol capsule a day). Those rules now set `stop_dose.stop_instead_of_tail`: from a dose at
or below the stop dose the taper stops rather than start a new product or give an
immediate-release product at fewer dose times than its regimen (taper.plan.stop_end).
us-cdc-2022 keeps its once-a-day end (CDC: "extend the time between doses"), and a
benzodiazepine keeps its slow end."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from panel import PANEL, Patient, plan_of

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.guideline.model import Guideline
from taper.guideline.model_base import DoseUnit, Route
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.labels import regimen_times_at_least
from taper.plan.model import Plan, Step
from taper.plan.regimen import stop_too_high
from taper.plan.stop_end import stops_instead_of_tail

START = dt.date(2026, 1, 5)


def plan(guideline: str, *meds: str) -> Plan:
    made = make_plan(
        [parse_medication(m) for m in meds], load_guideline(guideline), PlanOptions(start=START)
    )
    assert plan_problems(made, load_guideline(guideline).guideline) == []
    return made


def doses_of(made: Plan, drug: str) -> list[Step]:
    return [s for s in made.steps if s.drug == drug and s.phase == "taper" and s.dose > 0]


def last_dose(made: Plan, drug: str) -> Step:
    return doses_of(made, drug)[-1]


def brands(step: Step) -> set[str]:
    return {t.brand for d in step.doses for t in d.tablets}


def codes(made: Plan) -> set[str]:
    return {w.code for w in made.warnings}


def test_se09_oxycodone_stops_from_depot_5_plus_5_mg_not_one_capsule_a_day() -> None:
    made = plan("se-vgr", "oxycodone 40 mg")
    last = last_dose(made, "oxycodone")
    assert last.dose == Decimal(10)
    assert [d.time for d in last.doses] == ["morning", "evening"]
    assert brands(last) == {"Oxycodone Depot Orion"}
    assert all(brands(s) == {"Oxycodone Depot Orion"} for s in doses_of(made, "oxycodone"))
    assert last.end == dt.date(2026, 4, 13)  # one interval at 10 mg, then the stop
    assert "stop-instead-of-tail" in codes(made)
    assert "immediate-release-fewer-times" not in codes(made)


def test_no05_tramadol_stops_from_100_mg_twice_a_day_not_50_mg_once() -> None:
    made = plan("no-helsedir", "tramadol 400 mg")
    last = last_dose(made, "tramadol")
    assert last.dose == Decimal(100)
    assert [d.time for d in last.doses] == ["morning", "evening"]
    assert last.end == dt.date(2026, 4, 12)
    warning = next(w for w in made.warnings if w.code == "stop-instead-of-tail")
    assert warning.severity == "info"
    assert "fewer dose times" in warning.message
    # The caution on the twice-a-day step stays; its "earlier stop" option is the plan now.
    fewer = next(w for w in made.warnings if w.code == "immediate-release-fewer-times")
    assert "earlier stop" not in fewer.message


def test_uk11_tramadol_stops_from_zydol_sr_50_plus_50_mg_not_a_capsule_a_day() -> None:
    made = plan("uk-ashton", "tramadol 200 mg")
    last = last_dose(made, "tramadol")
    assert last.dose == Decimal(100)
    assert brands(last) == {"Zydol SR"}
    assert [d.time for d in last.doses] == ["morning", "evening"]
    assert all(brands(s) == {"Zydol SR"} for s in doses_of(made, "tramadol"))
    assert last.end == dt.date(2026, 4, 12)


def test_se10_morphine_stops_within_the_stop_dose_and_inside_the_rule_s_180_days() -> None:
    made = plan("se-vgr", "morphine 60 mg")
    steps = doses_of(made, "morphine")
    last = steps[-1]
    assert last.dose == Decimal(15)  # Dolcontin 5 + 10 mg, below 20 mg
    assert all(brands(s) == {"Dolcontin"} for s in steps)  # no solution, no top-up
    assert (last.end - START).days + 1 <= 180
    assert "max-duration-exceeded" not in codes(made)


def test_us_cdc_keeps_its_once_a_day_end() -> None:
    guideline = load_guideline("us-cdc-2022").guideline
    assert not any(stops_instead_of_tail(r) for r in guideline.taper_rules)
    made = plan("us-cdc-2022", "oxycodone 60 mg")
    assert len(last_dose(made, "oxycodone").doses) == 1
    assert "stop-instead-of-tail" not in codes(made)


def test_a_benzodiazepine_keeps_its_slow_end() -> None:
    made = plan("uk-ashton", "diazepam 20 mg")
    assert last_dose(made, "diazepam").dose < Decimal(1)
    assert "stop-instead-of-tail" not in codes(made)


def test_the_rule_file_choice_is_listed_among_the_project_choices() -> None:
    made = plan("se-vgr", "oxycodone 40 mg")
    assert any("stop_instead_of_tail: Project choice" in c for c in made.unverified)


def _unit_route(step: Step) -> tuple[DoseUnit, Route]:
    return ("mcg/h", "transdermal") if step.unit == "mcg/h" else ("mg", "oral")


def _stops_from_above(made: Plan, guideline: Guideline) -> list[str]:
    rules = {r.id: r for r in guideline.taper_rules}
    drugs = {d.id: d for d in guideline.drugs}
    out = []
    for applied in made.applied_rules:
        steps = doses_of(made, applied.drug)
        if not steps or applied.drug not in drugs:
            continue
        last = steps[-1]
        unit, route = _unit_route(last)
        too_high = stop_too_high(
            guideline, rules[applied.rule], drugs[applied.drug], unit, route, last.dose
        )
        if too_high is not None:
            out.append(f"{applied.drug} stops from {last.dose} {last.unit}, above {too_high}")
    return out


@pytest.mark.parametrize("patient", PANEL, ids=[p.id for p in PANEL])
def test_no_panel_plan_stops_from_above_its_stop_dose(patient: Patient) -> None:
    try:
        made = plan_of(patient)
    except TaperError:
        return
    guideline = load_guideline(patient.guideline).guideline
    assert _stops_from_above(made, guideline) == []


# --- the property -------------------------------------------------------------------------

OPIOIDS = {
    "se-vgr": ("oxycodone", "morphine", "tramadol", "tapentadol", "codeine"),
    "no-helsedir": ("oxycodone", "morphine", "tramadol", "tapentadol", "codeine"),
    "uk-ashton": ("oxycodone", "morphine", "tramadol", "codeine"),
}
SCALE = {"oxycodone": 5, "morphine": 5, "tramadol": 25, "tapentadol": 25, "codeine": 15}


def _within_stop(guideline: Guideline, rule_id: str, step: Step) -> bool:
    rule = next(r for r in guideline.taper_rules if r.id == rule_id)
    drug = next(d for d in guideline.drugs if d.id == step.drug)
    unit, route = _unit_route(step)
    return stop_too_high(guideline, rule, drug, unit, route, step.dose) is None


def tail_problems(made: Plan, guideline: Guideline) -> list[str]:
    """Steps from a dose at or below the stop dose that start a new product, or give an
    immediate-release product once a day (or at fewer dose times than its regimen), under a
    rule with `stop_instead_of_tail`."""
    out = []
    labels = {p.brand: p for p in guideline.formulary}
    for applied in made.applied_rules:
        rule = next(r for r in guideline.taper_rules if r.id == applied.rule)
        if not stops_instead_of_tail(rule):
            continue
        steps = [s for s in made.steps if s.drug == applied.drug and s.dose > 0]
        first: dict[str, int] = {}
        for step in steps:
            for brand in brands(step):
                first.setdefault(brand, len(step.doses))
        for before, after in itertools.pairwise(steps):
            if after.phase != "taper" or after.dose == before.dose:
                continue  # a hold at the dose the plan starts from changes nothing
            if not _within_stop(guideline, applied.rule, before):
                continue
            new = brands(after) - brands(before)
            if new and before.doses:  # not the first cut from a dose "as taken now"
                out.append(f"step {after.index} starts {sorted(new)} at {after.dose}")
            pieces = [t for d in after.doses for t in d.tablets]
            if any(t.modified_release for t in pieces):
                continue
            wanted = [
                regimen_times_at_least(p.regimen.doses_per_day, first.get(b, 0))
                for b in brands(after)
                if (p := labels.get(b)) is not None and p.regimen and p.regimen.doses_per_day
            ]
            if len(after.doses) == 1 or (wanted and len(after.doses) < min(wanted)):
                out.append(f"step {after.index} gives {after.dose} at {len(after.doses)} times")
    return out


@st.composite
def opioid_plans(draw: st.DrawFn) -> tuple[str, str]:
    guideline = draw(st.sampled_from(sorted(OPIOIDS)))
    drug = draw(st.sampled_from(OPIOIDS[guideline]))
    dose = SCALE[drug] * draw(st.integers(min_value=1, max_value=16))
    return guideline, f"{drug} {dose} mg"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opioid_plans())
def test_no_step_within_the_stop_dose_starts_a_product_or_gives_ir_once_a_day(
    case: tuple[str, str],
) -> None:
    guideline_id, med = case
    loaded = load_guideline(guideline_id)
    try:
        made = make_plan([parse_medication(med)], loaded, PlanOptions(start=START))
    except TaperError:
        return  # refused in one sentence: no plan to check
    assert plan_problems(made, loaded.guideline) == []
    assert tail_problems(made, loaded.guideline) == []
    assert _stops_from_above(made, loaded.guideline) == []
