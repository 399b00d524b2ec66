"""Patch safety on the patient's pages (nurse review 3, S-7): heat and fever, a patch that
falls off or sticks to someone else, and a used patch; the sources on the clinician page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.guideline.model import Lang
from taper.plan import PlanOptions, make_plan
from taper.render import PlanFormat, render_plan
from taper.render.as_html import PATIENT_END

START = dt.date(2027, 1, 4)


def html_of(guideline: str, med: str, lang: Lang) -> tuple[str, str]:
    """The sheet's patient part and clinician part."""
    plan = make_plan(
        [parse_medication(med)], load_guideline(guideline), PlanOptions(start=START, lang=lang)
    )
    html = render_plan(plan, PlanFormat.html, lang).decode("utf-8")
    patient, _, clinician = html.partition(PATIENT_END)
    return patient, clinician


@pytest.mark.parametrize(
    ("guideline", "med", "lang", "words"),
    [
        ("se-vgr", "fentanyl 50 mcg/h", "sv", ("bastu", "feber", "lossnar", "Vik ihop")),
        (
            "no-helsedir",
            "fentanyl patch 50 mcg/h",
            "nb",
            ("badstue", "feber", "faller av", "Brett"),
        ),
        (
            "us-cdc-2022",
            "fentanyl 50 mcg/h",
            "en",
            ("sauna", "If you get a fever", "If it falls off", "Fold a used"),
        ),
    ],
)
def test_a_fentanyl_sheet_tells_the_patient_how_to_use_patches_safely(
    guideline: str, med: str, lang: Lang, words: tuple[str, ...]
) -> None:
    patient, clinician = html_of(guideline, med, lang)
    # The advice is the patient's; the clinician page lists only its sources, each with what
    # it covers in the sheet's language ("fentanylplåster (feber)", nurse review 9, N12).
    advice_free = re.sub(r'<ul class="sources">.*?</ul>', "", clinician, flags=re.DOTALL)
    for word in words:
        assert word in patient, word
        assert word not in advice_free, word
    assert "legemiddelverket.no/nyheter/viktige-forsiktighetsregler" in clinician
    assert "lyfjastofnun.is" in clinician


def test_a_buprenorphine_sheet_has_the_heat_line_and_its_own_sources() -> None:
    patient, clinician = html_of("se-vgr", "buprenorphine patch 20 mcg/h", "sv")
    assert "bastu" in patient
    # Folding a used patch is sourced for fentanyl only.
    assert "Vik ihop" not in patient
    assert "apoteket" in patient
    assert "butrans.com" in clinician
    assert "legemiddelverket.no" not in clinician


def test_a_tablet_sheet_has_no_patch_advice() -> None:
    patient, clinician = html_of("se-vgr", "oxycodone 20 mg", "sv")
    assert "bastu" not in patient
    assert "lyfjastofnun" not in clinician


def test_the_text_output_carries_the_patch_lines() -> None:
    plan = make_plan(
        [parse_medication("fentanyl 50 mcg/h")],
        load_guideline("se-vgr"),
        PlanOptions(start=START, lang="en"),
    )
    text = render_plan(plan, PlanFormat.text, "en").decode("utf-8")
    assert "heat makes the medicine pass into the body too fast" in text
