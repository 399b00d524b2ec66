"""uk-ashton's opioid rule (issue 15 item 9): Opioids Aware's pace, NHS Scotland's conversions,
UK products from emc. Each test pins a reviewed property of the plans a UK prescriber gets."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from tail_helpers import with_tail  # the tails these tests pin (tail_helpers.py)

from taper.dose import parse_medication
from taper.equivalence import convert_item
from taper.errors import TaperError
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan

START = dt.date(2027, 1, 4)
UK = "uk-ashton"


def plan(*meds: str, **options: Any) -> Plan:
    loaded = with_tail(UK)
    made = make_plan(
        [parse_medication(m) for m in meds], loaded, PlanOptions(start=START, **options)
    )
    assert plan_problems(made, loaded.guideline) == []
    return made


def refusal(med: str, **options: Any) -> str:
    with pytest.raises(TaperError) as caught:
        make_plan([parse_medication(med)], with_tail(UK), PlanOptions(start=START, **options))
    return str(caught.value)


def brands(made: Plan) -> set[str]:
    return {t.brand for s in made.steps for d in s.doses for t in d.tablets}


@pytest.mark.parametrize(
    ("med", "expected"),
    [
        ("morphine 60 mg", {"MST Continus", "Oramorph oral solution 10 mg/5 ml"}),
        ("oxycodone 40 mg", {"OxyContin", "OxyNorm liquid 1 mg/ml"}),
        ("tramadol 200 mg", {"Zydol SR", "Tramadol 50 mg capsules"}),
        ("codeine 240 mg", {"Co-codamol 30/500 tablets"}),
        ("fentanyl patch 25 mcg/h", {"Matrifen"}),
        ("buprenorphine patch 10 mcg/h", {"BuTrans"}),
    ],
)
def test_uk_opioids_with_a_uk_product_are_planned_to_zero(med: str, expected: set[str]) -> None:
    made = plan(med)
    assert made.rule_ids == ["opioids-aware"]
    assert brands(made) == expected
    taper = [s for s in made.steps if s.phase == "taper"]
    assert taper[-1].dose > 0
    assert made.steps[-1].dose == 0
    assert made.last_dose_date is not None
    # Opioids Aware's pace: weeks to months, within the rule's year
    assert (made.last_dose_date - START).days <= 365


@pytest.mark.parametrize(
    "med", ["tapentadol 100 mg", "hydromorphone 8 mg", "dihydrocodeine 120 mg"]
)
def test_uk_opioids_without_a_uk_product_are_refused_in_one_sentence(med: str) -> None:
    said = refusal(med)
    assert "not a name" not in said
    assert "uk-ashton has no marketed" in said
    assert said.count("\n") == 0
    assert said.endswith(".")


def test_uk_methadone_is_left_to_specialist_services() -> None:
    said = refusal("methadone 40 mg")
    assert "no taper rule for methadone" in said
    assert said.count("\n") == 0


def test_uk_oxycodone_counts_as_nhs_scotland_two_with_the_secondary_range() -> None:
    g = with_tail(UK).guideline
    item = convert_item(parse_medication("oxycodone 20 mg"), g)
    assert item.exact == 40
    assert item.range_exact == (Fraction(30), Fraction(40))


def test_uk_morphine_pace_is_ten_percent_of_the_start_every_two_weeks() -> None:
    made = plan("morphine 60 mg")
    taper = [s for s in made.steps if s.phase == "taper" and s.ideal is not None]
    main = [s for s in taper if s.dose >= 18]
    assert len(main) >= 6
    # each ideal dose is 6 mg (10 % of 60 mg) below the dose before it, two weeks later; a
    # change that falls on an English bank holiday begins the next working day (Easter
    # Monday 29 March 2027: that step is 15 days, the rest of the plan a day later)
    gaps = []
    for a, b in itertools.pairwise(main):
        assert b.ideal == a.dose - 6
        gaps.append((b.start - a.start).days)
    assert sorted(gaps) == [14] * (len(gaps) - 1) + [15]
    assert dt.date(2027, 3, 29) not in {s.start for s in made.steps}
    # below 30 % of the start the steps are smaller (at least 2 mg, the rule's min step)
    tail = [s.dose for s in taper if s.dose < 18]
    cuts = [a - b for a, b in itertools.pairwise(tail)]
    assert cuts
    assert max(cuts) <= 5


def test_uk_modified_release_is_never_split_and_the_tail_is_immediate_release() -> None:
    made = plan("morphine 60 mg")
    for s in made.steps:
        for d in s.doses:
            for t in d.tablets:
                if t.modified_release:
                    assert t.count == t.count.to_integral_value()
                    assert d.time in {"morning", "evening"}
    last = [s for s in made.steps if s.phase == "taper"][-1]
    assert {t.brand for d in last.doses for t in d.tablets} == {"Oramorph oral solution 10 mg/5 ml"}


def test_uk_co_codamol_keeps_its_tablet_and_paracetamol_caps() -> None:
    made = plan("codeine 240 mg")
    for s in made.steps:
        per_day = sum((t.count for d in s.doses for t in d.tablets), Decimal(0))
        assert per_day <= 8
        assert per_day * 500 <= 4000
        for d in s.doses:
            for t in d.tablets:
                assert t.count <= 2
                assert t.count == t.count.to_integral_value()  # scoring not stated: whole
    said = " ".join(w.message for w in made.warnings)
    assert "paracetamol" in said.lower()


def test_uk_opioid_above_300_mg_needs_the_specialist_opioids_aware_names() -> None:
    said = refusal("morphine 400 mg")
    assert "specialist" in said
    assert "300" in said
    made = plan("morphine 400 mg", specialist=True)
    assert made.specialist_signoff
    assert any(w.code and "120" in w.message for w in made.warnings)


def test_uk_opioid_with_a_benzodiazepine_warns_as_the_mhra_does() -> None:
    made = plan("morphine 60 mg", "diazepam 10 mg")
    high = [w for w in made.warnings if w.severity == "high"]
    assert any("MHRA" in w.message for w in high)


def test_uk_opioid_aftercare_speaks_of_lost_tolerance_and_naloxone() -> None:
    made = plan("morphine 60 mg")
    after = [c for c in made.checkpoints if c.kind == "aftercare"]
    assert after
    content = {i for c in after for i in c.content}
    assert {"lost-tolerance", "overdose-risk", "naloxone"} <= content
