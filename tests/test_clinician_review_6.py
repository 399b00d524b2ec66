"""Clinician review 6 (helper-notes/clinician-review-6.md), items D4 and D6, each pinned by a
named regression on the plan the review read (`taper plan -g RULE -m MED --start
2027-01-04`).

- D4: a product, once stopped during a drug's taper, never returns (uk-ashton morphine 60 mg
  started Oramorph as a top-up, stopped it and started it again a fortnight later).
- D6: the fewer-dose-times caution, with its earlier-stop option, is the same for every
  immediate-release opioid, combination products included.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tail_helpers import with_tail  # the tails these tests pin (tail_helpers.py)

from taper.dose import parse_medication
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import formulation_restarts, regimen_problems

START = dt.date(2027, 1, 4)


def plan(guideline: str, med: str) -> Plan:
    loaded = with_tail(guideline)
    made = make_plan([parse_medication(med)], loaded, PlanOptions(start=START))
    assert plan_problems(made, loaded.guideline) == []
    assert regimen_problems(made, loaded.guideline) == []
    return made


def tapering(made: Plan) -> list[Step]:
    return [s for s in made.steps if s.phase == "taper" and s.dose > 0]


def brands(step: Step) -> set[str]:
    return {t.brand for d in step.doses for t in d.tablets}


def runs(made: Plan, brand: str) -> list[int]:
    """The step indexes that give `brand`."""
    return [s.index for s in made.steps if brand in brands(s)]


def contiguous(indexes: list[int]) -> bool:
    return indexes == list(range(indexes[0], indexes[0] + len(indexes))) if indexes else True


# --- D4 ----------------------------------------------------------------------------------


def test_review6_d4_uk_ashton_morphine_60_switches_to_oramorph_once() -> None:
    """Was: step 12 MST 5 mg + MST 5 mg and 2 mg (1 ml) Oramorph, step 13 MST 5 mg twice a
    day with no Oramorph, step 14 Oramorph alone. The top-up would have made one step only
    and the solution would have stopped and started again; the taper now changes once, on the
    step that cuts 15 to 12 mg: Oramorph 3 mg (1.5 ml) four times a day, MST never again."""
    made = plan("uk-ashton", "morphine 60 mg")
    oramorph = "Oramorph oral solution 10 mg/5 ml"
    assert contiguous(runs(made, oramorph))
    assert contiguous(runs(made, "MST Continus"))
    change = next(s for s in tapering(made) if oramorph in brands(s))
    assert change.dose == Decimal(12)
    assert brands(change) == {oramorph}  # no MST beside it: no top-up step
    assert [d.amount for d in change.doses] == [Decimal(3)] * 4
    assert (change.note or "").startswith("from here Oramorph")
    before = made.steps[made.steps.index(change) - 1]
    assert before.dose == Decimal(15)
    assert brands(before) == {"MST Continus"}
    assert all("MST Continus" not in brands(s) for s in made.steps[change.index :])


def test_review6_d4_us_cdc_morphine_60_keeps_its_top_up_until_the_hand_over() -> None:
    """us-cdc morphine 60 mg topped up extended-release tablets with oral solution from 54 mg,
    took 45 mg as tablets alone (15 + 30) and then the solution again from 41 mg. The
    solution is now kept at every step from the first top-up: 45 mg is 15 mg + 2 ml in the
    morning and 15 mg + 5.5 ml in the evening."""
    made = plan("us-cdc-2022", "morphine 60 mg")
    solution = "Morphine sulfate oral solution 10 mg/5 ml"
    given = runs(made, solution)
    assert contiguous(given)
    assert given[-1] == tapering(made)[-1].index  # to the end of the taper
    at_45 = next(s for s in tapering(made) if s.dose == Decimal(45))
    assert solution in brands(at_45)
    assert [d.amount for d in at_45.doses] == [Decimal(19), Decimal(26)]


def test_review6_d4_uk_ashton_oxycodone_60_hands_over_once_with_no_half_mg_tail() -> None:
    """uk-ashton oxycodone 60 mg had the same on/off/on (OxyContin 5 + 5 mg + 2 ml OxyNorm
    liquid at 12 mg, OxyContin alone at 10 mg, the liquid alone from 8 mg). OxyContin 5 + 5 mg
    leaves no room for a top-up at 10 mg, so the liquid would take over there, after a single
    topped-up step: the taper now changes once, at 12 mg, and keeps its doses 12, 10, 8, 6, 4,
    2 mg."""
    made = plan("uk-ashton", "oxycodone 60 mg")
    liquid = "OxyNorm liquid 1 mg/ml"
    assert contiguous(runs(made, liquid))
    on_liquid = [s for s in tapering(made) if liquid in brands(s)]
    assert all(brands(s) == {liquid} for s in on_liquid)
    assert [s.dose for s in on_liquid] == [Decimal(d) for d in (12, 10, 8, 6, 4, 2)]


def test_review6_d4_uk_ashton_morphine_30_hands_over_where_the_top_up_would_stop() -> None:
    """uk-ashton morphine 30 mg topped MST up from 27 to 18 mg, took 15 mg as MST 5 + 10 mg
    alone, then Oramorph again at 12 mg. Oramorph alone now takes over on the cut to 15 mg,
    after four topped-up steps; the daily doses are those of the rule (27, 24, 21, 18, 15 mg)."""
    made = plan("uk-ashton", "morphine 30 mg")
    oramorph = "Oramorph oral solution 10 mg/5 ml"
    assert contiguous(runs(made, oramorph))
    steps = tapering(made)
    topped = [s for s in steps if brands(s) == {"MST Continus", oramorph}]
    assert [s.dose for s in topped] == [Decimal(d) for d in (27, 24, 21, 18)]
    alone = steps[len(topped)]
    assert alone.dose == Decimal(15)
    assert brands(alone) == {oramorph}


def test_review6_d4_other_depot_plans_use_each_formulation_once() -> None:
    """The other opioid depot plans of the review and its check list: each formulation in one
    unbroken run of steps (and the regimen invariants, `plan`)."""
    for guideline, med in (
        ("us-cdc-2022", "oxycodone 60 mg"),
        ("se-vgr", "tramadol 300 mg"),
        ("no-helsedir", "tramadol 400 mg"),
        ("uk-ashton", "morphine 30 mg"),
        ("uk-ashton", "morphine 90 mg"),
        ("uk-ashton", "morphine 120 mg"),
        ("uk-ashton", "oxycodone 60 mg"),
        ("se-vgr", "morphine 60 mg"),
    ):
        made = plan(guideline, med)
        for brand in {b for s in made.steps for b in brands(s)}:
            assert contiguous(runs(made, brand)), (guideline, med, brand)


def test_the_restart_invariant_finds_a_product_given_again() -> None:
    """The invariant itself: the uk-ashton morphine plan with its first Oramorph step's doses
    copied onto an MST step two steps earlier (MST, Oramorph, MST, Oramorph) is caught."""
    loaded = with_tail("uk-ashton")
    made = plan("uk-ashton", "morphine 60 mg")
    steps = list(made.steps)
    first = next(i for i, s in enumerate(steps) if "Oramorph" in str(brands(s)))
    steps[first - 2] = steps[first - 2].model_copy(update={"doses": steps[first].doses})
    broken = made.model_copy(update={"steps": steps})
    found = formulation_restarts(broken, loaded.guideline)
    assert found == [
        f"morphine: step {steps[first - 1].index} gives modified-release tablet again after "
        "it was stopped",
        f"morphine: step {steps[first].index} gives immediate-release oral solution again "
        "after it was stopped",
    ]
    assert formulation_restarts(made, loaded.guideline) == []


# --- D6 ----------------------------------------------------------------------------------


def fewer_times(made: Plan) -> str:
    found = [w for w in made.warnings if w.code == "immediate-release-fewer-times"]
    assert len(found) == 1
    assert found[0].severity == "caution"
    return found[0].message


def test_review6_d6_co_codamol_240_once_a_day_has_the_caution_and_an_earlier_stop() -> None:
    """uk-ashton co-codamol 240 mg: step 15 gave one tablet in the evening only for 14 days,
    and step 14 two a day, with no Caution (its label allows 1-4 doses a day as needed).
    Codeine acts for a few hours as every immediate-release opioid: both steps now carry the
    caution, with the earlier stop from 60 mg that the rule's stop dose allows."""
    made = plan("uk-ashton", "co-codamol 240 mg")
    once = [s for s in tapering(made) if len(s.doses) == 1]
    assert [s.index for s in once] == [15]
    assert [d.time for d in once[0].doses] == ["evening"]
    message = fewer_times(made)
    assert "(steps 14, 15)" in message  # a real plural (nurse review 8)
    assert "fewer than 3 times a day" in message
    assert "So is an earlier stop from 60 mg (step 14)" in message


def test_review6_d6_paralgin_forte_240_once_a_day_has_the_caution_and_an_earlier_stop() -> None:
    """no-helsedir Paralgin forte 240 mg: step 9 gave one tablet in the evening only for 14
    days with no Caution; steps 8-9 now carry it, with the earlier stop from 60 mg."""
    made = plan("no-helsedir", "Paralgin forte 240 mg")
    once = [s for s in tapering(made) if len(s.doses) == 1]
    assert [s.index for s in once] == [9]
    message = fewer_times(made)
    assert "(steps 8, 9)" in message  # a real plural (nurse review 8)
    assert "fewer than 3 times a day" in message
    assert "So is an earlier stop from 60 mg (step 8)" in message


def test_review6_d6_single_ingredient_products_keep_their_labels_regimen() -> None:
    """The same rule for a single-ingredient product: its label's fewest doses a day (4 for
    Oramorph, 3 for tramadol capsules), so these cautions are as before."""
    morphine = fewer_times(plan("uk-ashton", "morphine 60 mg"))
    assert "fewer than 4 times a day" in morphine
    tramadol = fewer_times(plan("se-vgr", "tramadol 300 mg"))
    assert "fewer than 3 times a day" in tramadol


def test_review6_d6_a_combination_started_twice_a_day_is_cautioned_below_that() -> None:
    """us-cdc-2022 Tylenol #3 taken 2 tablets morning and evening, as written, is planned
    twice a day (the patient's own times, within its label's 1-4): the caution lists only the
    steps once a day, not the whole taper, since the regimen the plan first gives a
    combination product counts, up to 3 a day. (Given as 120 mg a day it is 1 tablet 4 times
    a day since issue 15: tests/test_regimen_as_needed.py.)"""
    loaded = with_tail("us-cdc-2022")
    written = parse_medication("Tylenol #3 30 mg 2+2", loaded.guideline)
    made = make_plan([written], loaded, PlanOptions(start=START))
    assert regimen_problems(made, loaded.guideline) == []
    assert plan_problems(made, loaded.guideline) == []
    assert len(tapering(made)[0].doses) == 2
    once = [s.index for s in tapering(made) if len(s.doses) == 1]
    message = fewer_times(made)
    assert f"(step {', '.join(map(str, once))})" in message
    assert "fewer than 2 times a day" in message
