"""Pace from the sources and coverage of each region's drugs (issue 15 items 6 and 9).

Named regression tests for the reviewed examples, and a hypothesis property of the
`slow-down-pace` check: it reports a rule exactly when the slow-down takes away as large a
share of the dose per day as the main pace does where the slow-down begins.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.checks import slow_down_pace
from taper.guideline.checks._pace import main_share, slow_share
from taper.guideline.loader import load_guideline, validate_bytes
from taper.guideline.registry import builtin_ids
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step

START = dt.date(2027, 1, 4)


def plan(guideline: str, *meds: str, **options: Any) -> Plan:
    loaded = load_guideline(guideline)
    made = make_plan(
        [parse_medication(m) for m in meds], loaded, PlanOptions(start=START, **options)
    )
    assert plan_problems(made, loaded.guideline) == []
    return made


def taper_steps(made: Plan, drug: str) -> list[Step]:
    return [s for s in made.steps if s.drug == drug and s.phase == "taper"]


def refusal(guideline: str, med: str, **options: Any) -> str:
    with pytest.raises(TaperError) as caught:
        make_plan(
            [parse_medication(med)], load_guideline(guideline), PlanOptions(start=START, **options)
        )
    return str(caught.value)


# --- item 6: pace -----------------------------------------------------------------------------


def test_norwegian_alprazolam_3_mg_no_longer_reaches_zero_in_six_weeks() -> None:
    """Review: no-helsedir alprazolam 3 mg reached zero in 6 weeks with cuts of 17, 33, 50 and
    100 %. Xanor 0.5 mg is above the rule's stop dose, so the plan now needs the switch to
    diazepam; below 30 % of the starting dose the pace slows to 15 % every 14 days
    (Helsedirektoratet: relatively long over the final phase)."""
    assert "--switch" in refusal("no-helsedir", "alprazolam 3 mg")
    made = plan("no-helsedir", "alprazolam 3 mg", switch=True)
    steps = taper_steps(made, "diazepam")
    base = max(s.dose for s in steps)
    assert (steps[-1].start - steps[0].start).days >= 70
    slow = [s for s in steps if 0 < s.dose < base * Decimal("0.3")]
    assert slow
    assert all((s.end - s.start).days + 1 >= 14 for s in slow)
    cuts = [
        (a.dose - b.dose) / a.dose
        for a, b in itertools.pairwise(steps)
        if a.dose < base * Decimal("0.3") and b.dose > 0 and b.dose < a.dose
    ]
    assert max(cuts) <= Decimal("0.5")


def test_norwegian_slow_down_is_slower_than_the_main_pace() -> None:
    for rule in load_guideline("no-helsedir").guideline.taper_rules:
        slow = rule.slow_down
        if slow is None or rule.drug_class != "benzodiazepine":
            continue
        assert slow.below_percent_of_start is not None  # the Norwegian rules set a share
        main = Fraction(rule.reduction.percent) * 100 / Fraction(slow.below_percent_of_start)
        slow_per_day = Fraction(slow.percent) / slow.interval_days
        assert slow_per_day < main / rule.reduction.interval_days
        # ... and slower than the main pace's share at the start (10 % of the dose a week).
        assert slow_per_day < Fraction(rule.reduction.percent) / rule.reduction.interval_days


def test_swedish_opioid_taper_has_the_cdc_slower_tail() -> None:
    """Review: opioid tapers ended 30 -> 20 -> 10 -> 0 mg weekly with no slower tail. Under
    se-vgr the Eda pace now slows below 30 % of the start to 10 % of the current dose a week
    (CDC 2022), so the last 30 mg take more than three weeks."""
    made = plan("se-vgr", "oxycodone 100 mg", specialist=True)
    steps = taper_steps(made, "oxycodone")
    reached = next(s.start for s in steps if s.dose <= 30)
    stop = next(s.start for s in steps if s.dose == 0) if steps[-1].dose == 0 else None
    last_dose = made.last_dose_date
    assert last_dose is not None
    assert ((stop or last_dose) - reached).days > 28
    applied = next(r for r in made.applied_rules if r.drug == "oxycodone")
    assert applied.slow_below_percent_of_start == Decimal(30)
    assert applied.slow_percent == Decimal(10)


def test_ashton_hypnotic_is_switched_to_diazepam_not_stopped_in_four_weeks() -> None:
    """Review: under uk-ashton a hypnotic went 20 -> 10 -> 0 mg in four weeks. The Ashton
    Manual and the NI formulary switch it to diazepam, whose bedtime dose falls in 0.5-1 mg
    steps."""
    made = plan("uk-ashton", "temazepam 20 mg")
    steps = taper_steps(made, "diazepam")
    assert len(steps) >= 10
    cuts = [a.dose - b.dose for a, b in itertools.pairwise(steps) if b.dose > 0]
    assert max(cuts) <= 1
    # From diazepam 10 mg the UK summary of NICE CKS (formulations.md §5) cuts 1 mg a step to
    # 5 mg, then 0.5-1 mg, every 1-2 weeks: 10 to 15 steps, 10 to 30 weeks.
    weeks = (steps[-1].start - steps[0].start).days / 7
    assert 10 <= weeks <= 30


def test_ashton_hypnotic_can_still_be_tapered_as_it_is() -> None:
    made = plan("uk-ashton", "zolpidem 10 mg", switch=False)
    assert {s.drug for s in made.steps} == {"zolpidem"}
    assert any(
        "Zolpidem tablets" in t.brand for s in made.steps for d in s.doses for t in d.tablets
    )


# --- item 9: coverage -------------------------------------------------------------------------


@pytest.mark.parametrize("med", ["morphine 30 mg", "tramadol 200 mg", "codeine 120 mg"])
def test_uk_opioids_with_a_uk_product_are_planned(med: str) -> None:
    """Item 9: uk-ashton refused every opioid; now its Opioids Aware rule plans those with a UK
    product (tests/test_uk_opioids.py holds the rest)."""
    made = plan("uk-ashton", med)
    assert made.rule_ids == ["opioids-aware"]


def test_uk_tapentadol_is_known_and_refused_with_the_reason() -> None:
    said = refusal("uk-ashton", "tapentadol 100 mg")
    assert "not a name" not in said
    assert "no marketed" in said
    assert said.count("\n") == 0
    assert said.endswith(".")


def test_us_codeine_acetaminophen_is_in_the_formulary() -> None:
    made = plan("us-cdc-2022", "codeine 60 mg")
    brands = {t.brand for s in made.steps for d in s.doses for t in d.tablets}
    assert brands == {"Acetaminophen and codeine 300 mg/30 mg tablets"}


def test_norwegian_lorazepam_refusal_says_it_is_not_marketed() -> None:
    said = refusal("no-helsedir", "lorazepam 2 mg")
    assert "Ativan is not marketed here: only on godkjenningsfritak in Norway" in said
    assert "--switch" in said
    made = plan("no-helsedir", "lorazepam 2 mg", switch=True)
    assert "diazepam" in {s.drug for s in made.steps}


def test_every_shipped_slow_down_is_slower_than_its_main_pace() -> None:
    for gid in builtin_ids():
        g = load_guideline(gid).guideline
        for rule in g.taper_rules:
            slow = rule.slow_down
            if slow is None:
                continue
            # Shares of the current dose where the slow-down begins, smallest steps counted
            # (uk-ashton: 1 mg is 20 % of 5 mg diazepam, the slow-down's 0.5 mg 10 %).
            main = main_share(rule)
            assert main is not None
            slower = slow_share(rule)
            assert slower / slow.interval_days < main / rule.reduction.interval_days
            assert slow.interval_days >= rule.reduction.interval_days


# --- the check, as a property -----------------------------------------------------------------

RULE_FILE = """\
id: pace
region: Test
country: SE
title: Pace
version: "1"
effective: 2024-01-01
language: en
sources:
  - {{id: src, title: A source}}
drugs:
  - {{id: diazepam, class: benzodiazepine, group: anxiolytic}}
equivalence:
  benzodiazepine:
    reference: diazepam
    source: src
    conversions:
      - {{drug: diazepam, factor: 1, source: src}}
formulary:
  - {{drug: diazepam, brand: D, strengths: [{{amount: 2}}], source: src}}
taper_rules:
  - id: r
    title: R
    class: benzodiazepine
    phases: {{mapping_days: 7, stabilisation_days: 7, source: src}}
    switch: {{policy: never, source: src}}
    reduction: {{mode: {mode}, percent: {percent}, interval_days: {interval}, source: src}}
    slow_down:
      below_percent_of_start: {below}
      percent: {slow}
      interval_days: {slow_interval}
      source: src
    pause: {{allowed: true, source: src}}
    max_duration_days: {{value: 1800, source: src}}
"""


@settings(max_examples=150, deadline=None)
@given(
    mode=st.sampled_from(["current", "start"]),
    percent=st.integers(1, 50),
    interval=st.integers(1, 60),
    below=st.integers(5, 90),
    slow=st.integers(1, 50),
    slow_interval=st.integers(1, 90),
)
def test_slow_down_pace_reports_exactly_the_slow_downs_that_are_not_slower(
    mode: str, percent: int, interval: int, below: int, slow: int, slow_interval: int
) -> None:
    text = RULE_FILE.format(
        mode=mode,
        percent=percent,
        interval=interval,
        below=below,
        slow=slow,
        slow_interval=slow_interval,
    )
    result = validate_bytes(text.encode(), "pace.yaml")
    reported = any(f.rule == slow_down_pace.RULE_ID for f in result.findings)
    main = Fraction(percent) * (100 / Fraction(below) if mode == "start" else 1)
    not_slower = Fraction(slow, slow_interval) >= main / interval
    assert reported == not_slower


def test_us_codeine_acetaminophen_keeps_to_its_label_per_dose() -> None:
    """At most 2 tablets a dose (codeine 60 mg, acetaminophen 600 mg), 12 a day."""
    made = plan("us-cdc-2022", "codeine 240 mg")
    for step in made.steps:
        assert all(sum(t.count for t in d.tablets) <= 2 for d in step.doses)
        assert sum(t.count for d in step.doses for t in d.tablets) <= 12
