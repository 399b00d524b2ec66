"""Clinician review (helper-notes/clinician-review.md) R07, R08, R17 and prioritised defect 12:
se-vgr and no-helsedir only *offer* the diazepam switch, so Xanor Depot (R07), Temesta (R08)
and Sobril 1+1+2 (R17) were planned on the drug itself without a word that the switch is the
better option. The default stays the rule's (no silent change); the clinician page now calls
the switch the recommended option, citing the NI formulary after PrescQIPP (formulations.md
§4: short-acting potent drugs - alprazolam, lorazepam) or the plan's own steep end.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan

START = dt.date(2027, 1, 11)


def _plan(gid: str, med: str, switch: bool | None = None, lang: str = "en") -> Plan:
    return make_plan(
        [parse_medication(med)],
        load_guideline(gid),
        PlanOptions(start=START, switch=switch, lang=lang),
    )


def _pages(plan: Plan, lang: str) -> tuple[str, str]:
    html = render_plan(plan, PlanFormat.html, lang).decode()
    patient, clinician = html.split("<main>", 1)[1].split('<section class="clinician', 1)
    return re.sub(r"<[^>]+>", " ", patient), re.sub(r"<[^>]+>", " ", clinician)


@pytest.mark.parametrize(
    ("review", "gid", "med", "drug"),
    [
        ("R07", "se-vgr", "Xanor Depot 1 mg 1+0+1", "alprazolam"),
        ("R08", "se-vgr", "Temesta 1 mg 1+0+1", "lorazepam"),
    ],
)
def test_review_R07_R08_prescqipp_drug_gets_the_switch_recommended_not_imposed(
    review: str, gid: str, med: str, drug: str
) -> None:
    plan = _plan(gid, med)
    assert not any(s.drug == "diazepam" for s in plan.steps), review  # default unchanged
    advised = [w for w in plan.warnings if w.code == "switch-advised"]
    assert len(advised) == 1, review
    assert advised[0].severity == "caution"
    assert f"A switch of {drug} to diazepam is the recommended option" in advised[0].message
    assert "source prescqipp-ni" in advised[0].message
    # Asked for or declined, the prescriber has decided: no advice.
    for choice in (True, False):
        decided = _plan(gid, med, switch=choice)
        assert not any(w.code == "switch-advised" for w in decided.warnings), (review, choice)


def test_review_R08_the_advice_is_on_the_clinician_page_only() -> None:
    for lang, words in (("en", "recommended option"), ("sv", "rekommenderade alternativet")):
        patient, clinician = _pages(_plan("se-vgr", "Temesta 1 mg 1+0+1", lang=lang), lang)
        assert words in clinician, lang
        assert words not in patient, lang
        assert "PrescQIPP" in clinician  # the cited source, in the clinician page's sources


def test_review_R17_steep_oxazepam_end_calls_the_offered_switch_recommended() -> None:
    plan = _plan("no-helsedir", "Sobril 10 mg 1+1+2")
    assert not any(s.drug == "diazepam" for s in plan.steps)
    limited = next(w for w in plan.warnings if w.code == "tablet-limited")
    assert "offers a switch to diazepam (--switch)" in limited.message
    assert limited.message.endswith("which allows smaller steps: the recommended option here.")
    assert not any(w.code == "switch-advised" for w in plan.warnings)  # not a PrescQIPP drug


def test_review_R07_no_advice_where_the_rule_already_switches() -> None:
    # uk-ashton recommends the switch itself: the plan switches; nothing to advise.
    plan = _plan("uk-ashton", "lorazepam 1 mg")
    assert any(s.drug == "diazepam" for s in plan.steps)
    assert not any(w.code == "switch-advised" for w in plan.warnings)
