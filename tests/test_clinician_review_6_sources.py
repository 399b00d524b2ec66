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


# D7: the co-codamol plan's lower paracetamol limits cited only Norwegian sources. No UK
# source the project could retrieve gives a figure (emc co-codamol SmPC text, UK copies; no
# BNF or CKS text): the caution keeps Norway's figures, marked for comparison, and the UK
# plan gives JRCALC's own words, with JRCALC as the source on the clinician page.
JRCALC = (
    "Some patients may be at increased risk of experiencing toxicity at therapeutic doses, "
    "particularly those with a body weight under 50 kg and those with risk factors for "
    "hepatotoxicity. Clinical judgement should be used to adjust the dose of oral and "
    "intravenous paracetamol in these patients."
)


def test_d7_uk_co_codamol_plan_quotes_the_uk_guidance_beside_the_norwegian_figures() -> None:
    plan = plan_of("uk-ashton", "co-codamol 240 mg")
    codes = [w.code for w in plan.warnings]
    assert "drug-note:codeine:paracetamol-uk" in codes
    (caution,) = (w for w in plan.warnings if w.code == "paracetamol-lower-limits")
    assert "These are Norwegian figures, for comparison" in caution.message
    assert "the project's sources give none for this region" not in caution.message
    (note,) = (w for w in plan.warnings if w.code == "drug-note:codeine:paracetamol-uk")
    assert JRCALC in note.message
    assert "no lower figure" in note.message
    loaded = load_guideline("uk-ashton")
    listed = sources(build_view(plan, "en", loaded.guideline))
    assert any(s.startswith("JRCALC clinical guidelines 2016 update") for s in listed)
    source = next(s for s in loaded.guideline.sources if s.id == "jrcalc-paracetamol")
    assert (
        source.url == "https://aace.org.uk/jrcalc-updates-2016/paracetamol-additional-information/"
    )
    assert JRCALC in (source.note or "")


@pytest.mark.parametrize(
    ("lang", "caution", "note"),
    [
        ("sv", "Det är norska uppgifter, som jämförelse", "brittiska ambulanstjänsternas"),
        ("nb", "Dette er norske tall, til sammenligning", "britiske ambulansetjenestenes"),
    ],
)
def test_d7_the_uk_paracetamol_words_read_in_swedish_and_norwegian(
    lang: Lang, caution: str, note: str
) -> None:
    text = text_of(plan_of("uk-ashton", "co-codamol 240 mg", lang), lang)
    assert caution in text
    assert note in text
    assert "These are Norwegian figures" not in text


def test_d7_a_swedish_citodon_plan_still_says_its_sources_give_no_figures() -> None:
    plan = plan_of("se-vgr", "Citodon 240 mg")
    (caution,) = (w for w in plan.warnings if w.code == "paracetamol-lower-limits")
    assert "the project's sources give none for this region" in caution.message
    assert not [w for w in plan.warnings if w.code.startswith("drug-note:codeine:")]


def test_d7_a_norwegian_plan_gives_the_figures_as_its_own() -> None:
    plan = plan_of("no-helsedir", "Paralgin forte 240 mg")
    (caution,) = (w for w in plan.warnings if w.code == "paracetamol-lower-limits")
    assert "Norwegian figures" not in caution.message
