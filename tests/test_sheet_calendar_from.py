"""Issue 13 (nurse review 6): the tick calendar's later weeks printed without a replan
(`taper plan ... --calendar-from DATE`), "Kl. 24" said to be the same day's midnight, and the
clinician page's cut shares dated instead of numbered by step."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from conftest import CliResult
from tail_helpers import tail_file

Run = Callable[..., CliResult]
TWO_DRUGS = ("-m", "oxycodone 40 mg", "-m", "oxazepam 30 mg")
# se-vgr with its opioid tail (tail_helpers.py): the dates here are those of that longer plan.
BASE = ("plan", "-g", tail_file("se-vgr"), *TWO_DRUGS, "--start", "2027-01-04")
PARALGIN = ("plan", "-g", "no-helsedir", "-m", "Paralgin forte 2+2+2+2", "--start", "2027-01-04")


def parts(html: str) -> tuple[str, str]:
    """(the patient's pages, the clinician part)."""
    patient, clinician = html.split('<section class="clinician', 1)
    return patient, clinician


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_clinician_page_names_the_command_for_the_next_weeks(run_cli: Run) -> None:
    """The patient is told the next pages come from the contact person; the nurse learns
    from the clinician page how to print them."""
    result = run_cli(*BASE, "-f", "html")
    assert result.code == 0, result.err
    patient, clinician = parts(result.out)
    # 8 weeks: the plan's calendar has its notes under the weeks on every print, so that the
    # sheet's and the later prints look the same (nurse review 8; was 13 weeks to 11 April).
    assert "Kalendern går till 7 mars 2027. Nästa sidor får du av din kontaktperson." in patient
    # The command stays on the clinician page: it tells the nurse how to print the next
    # weeks (nurse review 6; issue 13 puts command-line options on the clinician page).
    assert (
        "Bockkalendern slutar 7 mars 2027. Skriv ut nästa veckor till patienten med: "
        "taper plan … --calendar-from 2027-03-08"
    ) in words(clinician)
    assert "--calendar-from" not in patient


def test_a_calendar_to_the_plans_end_names_no_later_print(run_cli: Run) -> None:
    result = run_cli(*PARALGIN, "-f", "html")
    assert result.code == 0, result.err
    assert "--calendar-from" not in result.out


def test_calendar_from_prints_the_13_weeks_from_the_week_holding_the_date(run_cli: Run) -> None:
    # A Wednesday: the calendar starts on its week's Monday, 12 April.
    result = run_cli(*BASE, "--calendar-from", "2027-04-14", "-f", "html")
    assert result.code == 0, result.err
    patient, clinician = parts(result.out)
    calendar = patient.split('<table class="ticks">', 1)[1]
    labels = re.findall(r'<th scope="rowgroup"[^>]*>([^<]+)</th>', calendar)
    assert labels[0] == "12/4"
    # As many weeks as the page holds: two drugs take two rows, weekly support talks note lines.
    assert 8 <= len(labels) <= 13
    day, month = (int(n) for n in labels[-1].split("/"))
    last = dt.date(2027, month, day) + dt.timedelta(days=6)  # the last week's Sunday
    # Only the calendar, with a line for the patient's name: no page 1, no dose table.
    assert '<table class="overview">' not in patient
    assert "Ditt namn" in patient
    assert "Din nedtrappningsplan" not in patient
    # Still true: it stops before the plan's end and says where the next pages come from.
    until = f"{last.day} {('juni', 'juli')[last.month - 6]} 2027"
    assert f"Kalendern går till {until}. Nästa sidor får du av din kontaktperson." in patient
    # The oxycodone's stop (18 May): no oxycodone row after its week.
    assert "oxikodon" in calendar.split("24/5", 1)[0]
    assert '<th scope="row" class="drug">oxikodon</th>' not in calendar.split(">24/5<", 1)[1]
    text = words(clinician)
    assert f"--calendar-from {(last + dt.timedelta(days=1)).isoformat()}" in text
    assert "bara patientens bockkalender från 12 april 2027" in text
    assert "sha256" in text  # the stamp identifies the plan
    assert "Olöst beslut" in text  # an open decision is never left off


def test_calendar_from_in_pdf(run_cli: Run, tmp_path: pytest.TempPathFactory) -> None:
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    out = f"{tmp_path}/calendar.pdf"
    result = run_cli(*BASE, "--calendar-from", "2027-04-12", "-f", "pdf", "-o", out)
    assert result.code == 0, result.err
    pages = [p.extract_text() for p in pypdf.PdfReader(out).pages]
    assert len(pages) == 2  # the calendar's page and the clinician's
    assert "Bocka av dina doser" in pages[0]
    assert "Sida 1 av 1" in pages[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--calendar-from", "2026-12-31", "-f", "html"),
            "--calendar-from 2026-12-31 is before the plan starts (2027-01-04); give a date "
            "from the plan's start to 2028-01-03.",
        ),
        (
            ("--calendar-from", "2028-01-04", "-f", "html"),
            "--calendar-from 2028-01-04 is after the plan's last dose (2028-01-03); there is "
            "nothing left to tick.",
        ),
        (
            ("--calendar-from", "2027-02-30", "-f", "html"),
            "--calendar-from '2027-02-30' is not a date; write it as YYYY-MM-DD.",
        ),
        (
            ("--calendar-from", "2027-04-12", "-f", "text"),
            "--calendar-from prints the sheet's tick calendar: use --format html or pdf.",
        ),
        (
            ("--calendar-from", "2027-04-12", "--diary", "-f", "html"),
            "--calendar-from prints the sheet's tick calendar, not the intake diary: drop one "
            "of them.",
        ),
    ],
)
def test_calendar_from_refuses_a_bad_date_in_one_sentence(
    run_cli: Run, args: tuple[str, ...], message: str
) -> None:
    result = run_cli(*BASE, *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"taper: {message}\n"


def test_the_last_dose_day_itself_is_a_calendar_of_its_last_week(run_cli: Run) -> None:
    result = run_cli(*BASE, "--calendar-from", "2028-01-03", "-f", "html")
    assert result.code == 0, result.err
    patient, clinician = parts(result.out)
    assert re.findall(r'<th scope="rowgroup"[^>]*>([^<]+)</th>', patient) == ["3/1"]
    assert "Kalendern går till" not in patient
    assert "--calendar-from" not in words(clinician).split("utan --calendar-from", 1)[1]


# --- Kl. 24 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "calendar", "table"),
    [
        ("nb", "Kl. 24 (midnatt, samme dag)", "Kl. 24 er midnatt, på slutten av samme dag."),
        ("sv", "Kl. 24 (midnatt, samma dag)", "Kl. 24 är midnatt, i slutet av samma dag."),
        ("en", "At 24 (midnight, the same day)", "At 24 is midnight at the end of the same day."),
    ],
)
def test_a_dose_at_24_is_said_once_to_be_the_same_days_midnight(
    run_cli: Run, lang: str, calendar: str, table: str
) -> None:
    """Nurse review 6, sheet 3: the tick column "Kl. 24" belongs to the day before midnight;
    without a word, a patient ticks the next day."""
    result = run_cli(*PARALGIN, "--lang", lang, "-f", "html")
    assert result.code == 0, result.err
    patient, _ = parts(result.out)
    text = words(patient)
    intro = words(patient.split('<section class="patient ticks-section">', 1)[1]).split(
        "<table", 1
    )[0]
    assert calendar in intro
    assert text.count(calendar) == 1
    assert text.count(table) == 1


def test_a_sheet_without_a_dose_at_24_says_nothing_of_midnight(run_cli: Run) -> None:
    result = run_cli(*BASE, "-f", "html")
    assert "midnatt" not in result.out


# --- step numbers on the clinician page --------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "head", "first"),
    [
        # A plan of over a year: the list's first day with its year (nurse review 7).
        ("en", "(the day the step starts: share of the dose before)", "11 May 2027: 11.1 %"),
        ("sv", "(dagen steget börjar: andel av dosen före)", "11 maj 2027: 11,1 %"),
        ("nb", "(dagen trinnet starter: andel av dosen før)", "11. mai 2027: 11,1 %"),
    ],
)
def test_cut_shares_are_listed_by_the_day_each_step_starts(
    run_cli: Run, lang: str, head: str, first: str
) -> None:
    """Nurse review 6, sheet 5: "(step: share of the dose before): 11: 11.1 %; 12: …" used
    the planner's step numbers, which stand nowhere on the patient's pages."""
    result = run_cli(
        "plan", "-g", "uk-ashton", "-m", "diazepam 20 mg", "--start", "2027-01-04",
        "--lang", lang, "-f", "html",
    )  # fmt: skip
    assert result.code == 0, result.err
    _, clinician = parts(result.out)
    text = words(clinician).replace("\u00a0", " ")
    assert f"{head}: {first};" in text
    assert not re.search(r"[:;] \d+: \d+(?:[.,]\d+)? %", text), text
    # The days said once, in the list, not also in brackets after "13 steps of diazepam".
    assert not re.search(r"(?:steps?|steg|trinn) (?:of|för|for) diazepam \(\d", text), text
