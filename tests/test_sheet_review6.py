"""Nurse review 6 of the printed sheet: page 1's last day of each drug on a two-drug plan, the
clinician page's pointer to the separate intake diary, and the dispensing head of a
combination product."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tail_helpers import with_tail  # the tails these tests pin (tail_helpers.py)

from taper.dose import parse_medication
from taper.guideline.model import Lang
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan

START = dt.date(2027, 1, 4)


def plan_of(guideline: str, meds: tuple[str, ...], lang: Lang) -> Plan:
    loaded = with_tail(guideline)
    options = PlanOptions(start=START, lang=lang)
    return make_plan([parse_medication(m, loaded.guideline) for m in meds], loaded, options)


def sheet_html(guideline: str, meds: tuple[str, ...], lang: Lang) -> str:
    html = render_plan(plan_of(guideline, meds, lang), PlanFormat.html, lang)
    assert isinstance(html, bytes)
    return html.decode()


def last_dose_row(html: str) -> str:
    """Page 1's last-dose row, its tags dropped."""
    found = re.search(
        r'<th scope="row">(Sista tabletten|Siste tablett|Last tablet|Last dose)</th><td>(.*?)</td>',
        html,
    )
    assert found is not None
    return re.sub(r"<[^>]+>", " ", found.group(2))


TWO_DRUGS = ("oxycodone 40 mg", "oxazepam 30 mg")


@pytest.mark.parametrize(
    ("lang", "oxycodone", "oxazepam"),
    [
        ("sv", "oxikodon: 10 maj 2027", "oxazepam: 3 januari 2028"),
        ("nb", "oksykodon: 10. mai 2027", "oksazepam: 3. januar 2028"),
        ("en", "oxycodone: 10 May 2027", "oxazepam: 3 January 2028"),
    ],
)
def test_two_drug_page_one_names_each_drugs_last_day(
    lang: Lang, oxycodone: str, oxazepam: str
) -> None:
    """One date alone ("Sista tabletten 10 januari 2028") read as the oxycodone's too, which
    stops in May (nurse review 6, sheet 1 (b))."""
    row = last_dose_row(sheet_html("se-vgr", TWO_DRUGS, lang))
    assert oxycodone in row
    assert oxazepam in row


def test_one_drug_page_one_keeps_a_single_last_day() -> None:
    row = last_dose_row(sheet_html("uk-ashton", ("diazepam 20 mg",), "en"))
    assert row.strip() == "22 November 2027"


DIARY_LINE = {
    "sv": "Patientens läkemedelsdagbok för kartläggningsveckan skrivs ut separat:",
    "nb": "Pasientens legemiddeldagbok for kartleggingsuken skrives ut separat:",
    "en": "The patient's intake diary for the mapping week is printed separately:",
}


def clinician_part(html: str) -> str:
    return html.split('<section class="clinician', 1)[1]


@pytest.mark.parametrize("lang", ["sv", "nb", "en"])
def test_clinician_page_says_the_intake_diary_is_printed_apart(lang: Lang) -> None:
    """The patient's pages say to write every dose in the diary, a print of its own
    (`--diary`) that nothing on the sheet pointed the nurse to (nurse review 6, item 5)."""
    html = sheet_html("se-vgr", TWO_DRUGS, lang)
    clinician = clinician_part(html)
    assert DIARY_LINE[lang] in clinician
    assert "--diary" in clinician
    assert '<p class="diary-print">' in clinician
    assert DIARY_LINE[lang] not in html.split('<section class="clinician', 1)[0]


def test_a_replan_without_mapping_names_no_diary() -> None:
    loaded = with_tail("se-vgr")
    options = PlanOptions(start=START, lang="sv", replan=True)
    plan = make_plan([parse_medication("oxazepam 30 mg", loaded.guideline)], loaded, options)
    assert not any(s.phase == "mapping" for s in plan.steps)
    html = render_plan(plan, PlanFormat.html, "sv")
    assert isinstance(html, bytes)
    assert "--diary" not in html.decode()
    assert "läkemedelsdagbok för kartläggningsveckan" not in html.decode()


def dispense_heads(html: str) -> str:
    head = re.search(r'<table class="dispense">.*?</thead>', html, re.DOTALL)
    assert head is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", head.group(0)))


def test_a_combination_products_dispensing_column_names_both_ingredients() -> None:
    """The column read "Paralgin forte / 30 mg": a pharmacy could take it for a 30 mg tablet,
    the codeine only (nurse review 6, sheet 3); named as the patient's pages name it."""
    html = sheet_html("no-helsedir", ("Paralgin forte 240 mg",), "nb")
    heads = dispense_heads(html)
    assert "Paralgin forte (paracetamol 400 mg / kodein 30 mg) tabletter" in heads
    assert "Paralgin forte 30 mg" not in heads
    assert (
        "Paralgin forte (paracetamol 400 mg / kodein 30 mg)"
        in html.split('<section class="clinician', 1)[0]
    )


def test_a_single_ingredient_dispensing_column_keeps_its_strength() -> None:
    heads = dispense_heads(sheet_html("se-vgr", ("oxazepam 30 mg",), "sv"))
    assert "Sobril" in heads
    assert "10 mg" in heads


@pytest.mark.parametrize(
    ("guideline", "meds", "lang", "said"),
    [
        ("us-cdc-2022", ("oxycodone 60 mg",), "en", "Stop taking OxyContin."),
        ("se-vgr", TWO_DRUGS, "sv", "Sluta ta Oxycodone Depot Orion."),
    ],
)
def test_nurse_review7_a_product_change_says_which_product_to_stop(
    guideline: str, meds: tuple[str, ...], lang: Lang, said: str
) -> None:
    """Nurse review 7: at the change from OxyContin to immediate-release tablets the sheet said
    only "A lower dose, now as ..."; with both at home a patient could take the two together.
    The row now says which product to stop."""
    patient = sheet_html(guideline, meds, lang).split('<div id="patient-end">', 1)[0]
    assert said in patient
