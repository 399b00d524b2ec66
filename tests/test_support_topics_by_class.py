"""Support-talk topics by drug class (clinician review 4, D7): se-vgr gave opioid patients
(Citodon, tramadol) the benzodiazepine topics "stress, anxiety, poor sleep, tension"; a plan
that tapers only opioids now gets the rule file's `support.opioid_content`."""

from __future__ import annotations

import datetime as dt

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan

START = dt.date(2027, 1, 4)


def topics(meds: list[str]) -> set[str]:
    plan: Plan = make_plan(
        [parse_medication(m) for m in meds],
        load_guideline("se-vgr"),
        PlanOptions(start=START, lang="en"),
    )
    return {item for c in plan.checkpoints if c.kind == "support" for item in c.content}


@pytest.mark.parametrize("med", ["Citodon 180 mg", "tramadol 300 mg"])
def test_an_opioid_plan_gets_the_opioid_talk_topics(med: str) -> None:
    found = topics([med])
    assert "opioid-withdrawal-symptoms" in found
    assert "coping-strategies" not in found
    assert "withdrawal-symptoms" not in found


def test_a_benzodiazepine_plan_keeps_its_topics() -> None:
    found = topics(["oxazepam 25 mg"])
    assert {"withdrawal-symptoms", "coping-strategies"} <= found
    assert "opioid-withdrawal-symptoms" not in found


def test_a_plan_of_both_classes_keeps_the_general_topics() -> None:
    found = topics(["oxycodone 40 mg", "oxazepam 30 mg"])
    assert "coping-strategies" in found
