"""Clinician review 13 (helper-notes/clinician-review-13.md), D4 and D7: warnings that said
what was not so, each pinned on the plan the review read (`--start 2026-01-05`).

- D4: no-helsedir oxazepam 15 mg is given once a day because Sobril's 10 and 15 mg tablets
  (not scored) cannot share 15 mg among more dose times; the note said "1 times a day ... is
  taken so by its label", where the label gives 3-4 times a day.
- D7: us-cdc-2022 morphine 60 mg offered "an earlier stop from 2 mg (step 23)" where step 23
  is the last dose step: no earlier stop at all.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from panel import PANEL, Patient
from panel import plan_of as panel_plan

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan

START = dt.date(2026, 1, 5)


def plan(guideline: str, med: str, lang: str | None = None) -> Plan:
    options = PlanOptions(start=START, lang=lang)
    return make_plan([parse_medication(med)], load_guideline(guideline), options)


def rendered(made: Plan, fmt: PlanFormat) -> str:
    out = render_plan(made, fmt, made.language)
    return out.decode() if isinstance(out, bytes) else out


def test_review13_d4_once_a_day_oxazepam_says_the_strengths_cannot_share_the_dose() -> None:
    made = plan("no-helsedir", "oxazepam 15 mg")
    assert {len(s.doses) for s in made.steps if s.doses} == {1}  # once a day, as before
    (note,) = [w.message for w in made.warnings if w.code == "dose-times-from-label"]
    assert note == (
        "oxazepam is given once a day: the formulary's strengths of Sobril (immediate "
        "release) cannot share 15 mg among more dose times, though its label gives 3–4 times "
        "a day (rule avrusning-angstdempende says 2). Rule avrusning-angstdempende offers a "
        "switch to diazepam (--switch)."
    )
    text = rendered(made, PlanFormat.text)  # Norwegian, as the rule file's language
    assert "oksazepam gis én gang i døgnet: styrkene av Sobril (hurtigvirkende)" in text
    assert "1 ganger" not in text
    assert "tas slik etter preparatomtalen" not in text
    assert "bytte til diazepam (--switch)." in text  # the text output keeps the option
    english = rendered(plan("no-helsedir", "oxazepam 15 mg", "en"), PlanFormat.text)
    assert "oxazepam is given once a day: the formulary's strengths of Sobril" in english
    html = rendered(made, PlanFormat.html)
    patient, clinician = (
        re.sub(r"<[^>]+>", "", part) for part in html.split("For forskriveren", 1)
    )
    # The switch is the prescriber's option: on the clinician page, in words, not as an option.
    assert "Regel avrusning-angstdempende gir mulighet for å bytte til diazepam." in clinician
    assert "--switch" not in html
    assert "diazepam" not in patient


def test_review13_d4_a_label_met_in_full_keeps_its_own_words() -> None:
    """Oxazepam 45 mg shares among Sobril's 3 label times: "taken so by its label" is true."""
    made = plan("no-helsedir", "oxazepam 45 mg")
    (note,) = [w.message for w in made.warnings if w.code == "dose-times-from-label"]
    assert note.startswith("oxazepam is given 3 times a day: Sobril (immediate release) is taken")


EARLIER = re.compile(r"earlier stop from [^(]+\(step (\d+)\)")


def test_review13_d7_no_earlier_stop_is_offered_at_the_last_dose_step() -> None:
    made = plan("us-cdc-2022", "morphine 60 mg")
    last = max(s.index for s in made.steps if s.dose > 0)
    offered = [int(n) for w in made.warnings for n in EARLIER.findall(w.message)]
    assert offered == [16]  # the step-floor note still offers 16 mg, seven steps earlier
    assert last not in offered
    fewer = next(w for w in made.warnings if w.code == "immediate-release-fewer-times")
    assert "earlier stop" not in fewer.message
    assert fewer.message.endswith("whether to go on so is a prescriber's decision.")


@pytest.mark.parametrize("patient", PANEL, ids=lambda p: p.id)
def test_no_panel_plan_offers_its_last_dose_step_as_an_earlier_stop(patient: Patient) -> None:
    try:
        made = panel_plan(patient)
    except TaperError:
        return
    for drug in {s.drug for s in made.steps}:
        last = max((s.index for s in made.steps if s.drug == drug and s.dose > 0), default=None)
        for w in made.warnings:
            if w.drug == drug:
                assert str(last) not in EARLIER.findall(w.message), w.message
