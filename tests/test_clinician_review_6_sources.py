"""Clinician review 6 (helper-notes/clinician-review-6.md): a UK plan's notes cite UK
sources. D3's minor: the older-patient note on a switch to diazepam cited the US Valium
label on a uk-ashton plan; it now gives the MHRA's words with the MHRA as its source."""

from __future__ import annotations

import datetime as dt

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan
from taper.render.i18n import Lang
from taper.render.sheet_clinician import sources
from taper.render.view_builder import build_view

START = dt.date(2027, 1, 4)


def plan_of(guideline: str, med: str, lang: Lang = "en") -> Plan:
    return make_plan(
        [parse_medication(med)], load_guideline(guideline), PlanOptions(start=START, lang=lang)
    )


def text_of(plan: Plan, lang: str) -> str:
    return render_plan(plan, PlanFormat.text, lang).decode("utf-8")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "the MHRA says the benzodiazepine dose in the elderly and the frail should be"),
        ("sv", "MHRA (Storbritanniens läkemedelsmyndighet) anger att bensodiazepindosen"),
        ("nb", "MHRA (Storbritannias legemiddelmyndighet) sier at benzodiazepindosen"),
    ],
)
def test_uk_older_patient_note_gives_the_mhras_words(lang: Lang, words: str) -> None:
    plan = plan_of("uk-ashton", "lorazepam 3 mg", lang)
    assert "drug-note:diazepam:older-start" in [w.code for w in plan.warnings]
    text = text_of(plan, lang)
    (line,) = (line for line in text.splitlines() if words in line)
    assert "US label" not in line
    assert "amerikanska" not in line
    assert "amerikanske" not in line
    assert "Valium" not in line


def test_uk_older_patient_note_cites_the_mhra_not_the_us_label() -> None:
    loaded = load_guideline("uk-ashton")
    plan = plan_of("uk-ashton", "lorazepam 3 mg")
    listed = sources(build_view(plan, "en", loaded.guideline))
    assert any(s.startswith("MHRA, Benzodiazepines learning module") for s in listed)
    assert not any("Valium" in s for s in listed)
    (note,) = (n for d in loaded.guideline.drugs if d.id == "diazepam" for n in d.clinician_notes)
    source = next(s for s in loaded.guideline.sources if s.id == note.source)
    assert source.url is not None
    assert "mhra.gov.uk" in str(source.url)
    assert "often about half the adult dose" in (source.note or "")
