"""Clinician review 9, D11: a Norwegian plan said nothing of driving, though no-helsedir's
diazepam 20 mg stays above the 10 mg a day a group 1 licence allows for six weeks. The rule
file's `driving` limits (rusinfo.no, helsenorge.no; shared/clinical-facts.md §4.3) give the
patient's sheet the day until which the doses do not meet the health requirement."""

from __future__ import annotations

import datetime as dt

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan

START = dt.date(2027, 1, 4)


def _plan(rule: str, *medications: str) -> Plan:
    return make_plan(
        [parse_medication(m) for m in medications],
        load_guideline(rule),
        PlanOptions(start=START, lang="en"),
    )


def _patient_html(made: Plan, lang: str) -> str:
    html = render_plan(made, PlanFormat.html, lang).decode("utf-8").replace("\u00a0", " ")
    return " ".join(html.split('<section class="clinician')[0].split())


def _text(made: Plan, lang: str = "en") -> str:
    return " ".join(render_plan(made, PlanFormat.text, lang).decode("utf-8").split())


def test_review9_no_helsedir_diazepam_20_mg_names_the_last_day_barred() -> None:
    made = _plan("no-helsedir", "diazepam 20 mg")
    # 12 mg a day up to 21 Feb, 10 mg from 22 Feb; then a change every week up to 15 March
    # (4 mg for 15 days): 7 days after it, 22 March, is the first day to drive (nurse review 9,
    # N1: the sheet said 21 February, though every week after it brought a change).
    assert (
        "Bilkjøring: ikke kjør bil til og med 21. mars 2027. Til da oppfyller dosene dine ikke "
        "helsekravene til førerkort (gruppe 1), eller det er mindre enn 7 dager siden en "
        "doseendring." in _patient_html(made, "nb")
    )
    assert (
        "Driving: do not drive up to and including 21 March 2027. Until then your doses do not "
        "meet the health requirement for a driving licence (group 1), or a change of dose is "
        "less than 7 days ago." in _text(made)
    )


def test_nurse_review9_n1_alprazolam_switch_counts_the_weeks_after_each_change() -> None:
    """Nurse review 9, N1: no-helsedir alprazolam 3 mg with a switch said 'til og med 5. april':
    the doses change on 6 and 13 April, so the first day to drive is 20 April."""
    made = make_plan(
        [parse_medication("alprazolam 3 mg")],
        load_guideline("no-helsedir"),
        PlanOptions(start=START, lang="en", switch=True),
    )
    nb = _patient_html(made, "nb")
    assert "ikke kjør bil til og med 19. april 2027." in nb
    # Nurse review 10, F4: and the weeks after each later change.
    assert "(11. mai – 17. mai, 22. juni – 28. juni, 3. aug. – 9. aug.)" in nb


def test_the_driving_source_is_on_the_clinician_page_only() -> None:
    html = render_plan(_plan("no-helsedir", "diazepam 20 mg"), PlanFormat.html, "nb").decode()
    patient, clinician = html.split('<section class="clinician')
    assert "Legemidler og bilkjøring" in clinician
    assert "Legemidler og bilkjøring" not in patient


def test_a_dose_within_the_limit_names_the_days_after_a_change() -> None:
    """Nurse review 10, F3: the days not to drive are named, not left to be counted."""
    text = _text(_plan("no-helsedir", "oxazepam 30 mg"))
    assert (
        "Driving: the doses in your plan meet the health requirement for a driving licence "
        "(group 1), but not in the 7 days after a change of dose: do not drive then (1 Feb – "
        "7 Feb, 15 Feb – 21 Feb)." in text
    )


def test_a_z_drug_within_the_limit_is_taken_8_hours_before_driving() -> None:
    """Nurse review 10, F3: 'Take zopiclone at least 8 hours before you drive' read as an
    instruction to take it before driving."""
    text = _text(_plan("no-helsedir", "zopiclone 7,5 mg"))
    assert "Do not drive until at least 8 hours after you took zopiclone." in text
    nb = _patient_html(_plan("no-helsedir", "zopiclone 7,5 mg"), "nb")
    assert "Ikke kjør bil før det har gått minst 8 timer siden du tok zopiklon." in nb
    assert "ikke kjør bil da (1. feb. – 7. feb.)" in nb


def test_two_sedatives_together_halve_each_limit() -> None:
    # Oxazepam 20 mg alone meets the 30 mg limit; beside zopiclone the limit is 15 mg.
    alone = _text(_plan("no-helsedir", "oxazepam 20 mg"))
    both = _text(_plan("no-helsedir", "oxazepam 20 mg", "zopiclone 7,5 mg"))
    assert "meet the health requirement" in alone
    assert "Driving: do not drive up to and including" in both


def test_an_unlisted_benzodiazepine_does_not_meet_it_until_its_last_dose() -> None:
    made = make_plan(
        [parse_medication("alprazolam 2 mg")],
        load_guideline("no-helsedir"),
        PlanOptions(start=START, lang="en", switch=True),
    )
    text = _text(made)
    assert "Driving: do not drive up to and including" in text


def test_an_opioid_beside_a_sedative_only_points_to_the_doctor() -> None:
    text = _text(_plan("no-helsedir", "oxazepam 30 mg", "oxycodone 20 mg"))
    assert "Driving: these medicines affect your driving" in text
    assert "up to and including" not in text.split("Driving:")[1][:120]


@pytest.mark.parametrize(
    ("rule", "medication"), [("se-vgr", "diazepam 20 mg"), ("no-helsedir", "morphine 60 mg")]
)
def test_no_driving_line_without_limits_or_without_a_sedative(rule: str, medication: str) -> None:
    assert "Driving:" not in _text(_plan(rule, medication))


def test_review13_d3_doses_above_the_limit_keep_the_conditions_for_the_later_doses() -> None:
    """Clinician review 13, D3: a plan above the limit at first dropped the 7 days after a
    change and the hours before driving, so the first day of a new dose read as free."""
    text = _text(_plan("no-helsedir", "zopiclone 15 mg"))
    assert (
        "Talk to your doctor before you drive again. Do not drive until at least 8 hours after "
        "you took zopiclone."
    ) in text
    # Nurse review 10, F4: the later changes' weeks are named.
    nb = _patient_html(_plan("no-helsedir", "diazepam 20 mg"), "nb")
    assert "Heller ikke de 7 dagene etter hver senere doseendring (27. apr. – 3. mai)." in nb
