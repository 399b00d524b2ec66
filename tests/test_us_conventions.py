"""An English plan for a US rule file in American conventions (month before day, American
words); the clinician part without contradictions, ambiguous dates or internal source ids; the
plan's short id on the sheet and on its later calendar prints (nurse review 7)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import cache

import pytest
from sheet_panel import PANEL, PanelPlan
from test_clinician_page_language import PRINT_COMMAND

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.guideline.model import Guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, plan_id, plan_json, render_plan
from taper.render.i18n import texts

START = dt.date(2027, 1, 4)


@cache
def plan_of(rule: str, *meds: str) -> Plan:
    loaded = load_guideline(rule)
    return make_plan([parse_medication(m) for m in meds], loaded, PlanOptions(start=START))


def us_oxycodone() -> Plan:
    """Oxycodone 60 mg under us-cdc-2022: 20 months, through two Januaries."""
    return plan_of("us-cdc-2022", "oxycodone 60 mg")


def tylenol() -> Plan:
    return plan_of("us-cdc-2022", "Tylenol #3 120 mg")


def shown(plan: Plan, fmt: PlanFormat, guideline: Guideline | None = None) -> str:
    if guideline is None:
        return render_plan(plan, fmt, "en").decode()
    return render_plan(plan, fmt, "en", guideline=guideline).decode()


def clinician_part(html: str) -> str:
    return html.split("For the prescriber", 1)[1]


def test_a_us_rule_file_prints_month_before_day_in_every_format_that_shows_dates() -> None:
    plan = us_oxycodone()
    for fmt in (PlanFormat.text, PlanFormat.markdown, PlanFormat.html, PlanFormat.ics):
        out = shown(plan, fmt)
        assert "January 4, 2027" in out.replace("\\,", ","), fmt
        assert "4 January 2027" not in out, fmt
        assert "Sept" not in out.replace("September", ""), fmt  # CLDR en_US: "Sep"
    html = shown(plan, PlanFormat.html)
    # The tick calendar's week heads and notes, and the dispensing table: M/d, not dd/MM.
    assert ">1/11<" in html
    assert "1/19 new dose" in html
    assert not re.search(r"\b(?:1[3-9]|2\d|3[01])/\d{1,2}\b", html)  # no day first
    assert "1/11–1/18 2027" in html
    assert "Next dose change</th><td>Tue Jan 19<" in html
    csv = shown(plan, PlanFormat.csv)
    assert "2027-01-11" in csv  # ISO dates in the CSV, whatever the locale


def test_a_us_rule_file_prints_american_words_and_keeps_its_product_names() -> None:
    html = shown(tylenol(), PlanFormat.html)
    assert "Check off your doses" in html
    assert "Tick your doses" not in html
    assert "paracetamol" not in html.lower()
    assert "acetaminophen (acetaminophen)" not in html
    # The product's name is the rule file's, as written.
    assert "Acetaminophen and codeine 300 mg/30 mg tablets" in html
    assert "tranquillisers" not in shown(us_oxycodone(), PlanFormat.html)
    # The clock of four doses 4 hours apart, on a 12-hour clock (was "08, 12, 16 and 20").
    assert "For example at 8 am, noon, 4 pm and 8 pm." in html
    # Nurse review 9, N10: "12 pm" and "12 am" are read either way.
    assert texts("en", "US").hour(12) == "noon"
    assert texts("en", "US").hour(24) == "midnight"
    assert texts("en", "GB").hour(8) == "08"


def test_the_locale_follows_the_rule_file_s_country_not_its_id() -> None:
    uk_plan = plan_of("uk-ashton", "diazepam 10 mg")
    uk = load_guideline("uk-ashton").guideline
    british = shown(uk_plan, PlanFormat.text, uk)
    assert "4 January 2027" in british
    assert "January 4, 2027" not in british
    assert ">11/01<" in shown(uk_plan, PlanFormat.html, uk)
    american = shown(uk_plan, PlanFormat.text, uk.model_copy(update={"country": "US"}))
    assert "January 4, 2027" in american
    assert "4 January 2027" not in american
    assert texts("en", "US").date(START) == "January 4, 2027"
    assert texts("en", "GB").date(START) == "4 January 2027"
    assert texts("sv", "US").date(START) == "4 januari 2027"  # only English has a US way


def test_a_us_sheet_is_byte_identical_run_to_run() -> None:
    plan = us_oxycodone()
    for fmt in (PlanFormat.html, PlanFormat.text, PlanFormat.ics, PlanFormat.csv):
        assert render_plan(plan, fmt, "en") == render_plan(plan, fmt, "en")


def test_clinician_dates_carry_their_year_on_a_plan_longer_than_a_year() -> None:
    part = clinician_part(shown(us_oxycodone(), PlanFormat.html))
    # "19 Jan: 11.1 %" was 2028 on a plan through two Januaries (nurse review 7, sheet 6). A
    # list gives the year on its first day and wherever the year changes.
    assert "Jan 19, 2028: 11.1 %; Feb 18: 12.5 %;" in part
    assert "(Apr 19, 2028)" in part  # a day on its own: with its year
    assert "(Jun 20, 2028; Jul 20; Aug 21)" in part
    uk = clinician_part(shown(plan_of("uk-ashton", "alprazolam 1.5 mg"), PlanFormat.html))
    assert re.search(r"\d+ Sept 2027: [\d.]+ %; \d+ Sept: ", uk)
    assert re.search(r"; \d+ Jan 2028: ", uk)
    # A plan of months, within a year: no year needed.
    short = clinician_part(shown(tylenol(), PlanFormat.html))
    assert "(Apr 21, Jun 21)" in short


def test_fewer_dose_times_names_no_regimen_the_page_contradicts() -> None:
    part = clinician_part(shown(tylenol(), PlanFormat.html))
    # Was "3 steps of codeine (21 Apr, 21 May, 21 Jun) ... than its regimen's 3 a day" beside
    # "codeine is given 4 times a day"; 21 May only held the 21 Apr dose.
    assert "regimen's" not in part
    fewer = "2 steps of codeine (Apr 21, Jun 21) give the immediate-release product fewer than 3"
    assert fewer in part


def test_project_choices_cite_a_source_by_its_title_not_an_internal_name() -> None:
    part = clinician_part(shown(tylenol(), PlanFormat.html))
    assert "droracle-cdc" not in part
    # A secondary web summary said to be one, not presented as CDC's word (nurse review 9, N12).
    assert "A secondary web summary of CDC 2022 says such tapers take months to years (Dr. " in part
    assert "Oracle, not verified against CDC 2022);" in part
    assert "not verified against it (secondary source)</li>" in part
    assert "(issue 15)" not in part
    assert "Project choice: CDC 2022 gives no smallest step" in part


def test_the_sheet_and_its_calendar_print_carry_the_same_plan_id() -> None:
    plan = plan_of("se-vgr", "oxycodone 40 mg", "oxazepam 30 mg")
    short = plan_id(plan)
    english = plan.model_copy(update={"language": "en"})
    assert short == hashlib.sha256(plan_json(english)).hexdigest()[:8]
    # Nurse review 9, N11: the same plan in another language keeps its id.
    assert plan.language != "en"
    assert plan_id(english) == short
    assert plan_json(plan) == render_plan(plan, PlanFormat.json, "sv")
    sheet = render_plan(plan, PlanFormat.html, "sv").decode()
    later = render_plan(plan, PlanFormat.html, "sv", calendar_from=dt.date(2027, 4, 12)).decode()
    for html in (sheet, later):
        # The patient's pages' footer, and the clinician part's stamp.
        assert f'@bottom-left {{\n    content: "Plan {short}";' in html
        assert f'content: "Plan {short} · se-vgr ' in html
    other = plan_id(plan_of("se-vgr", "oxycodone 40 mg"))
    assert other != short  # a continuation of another -m list shows another id


@pytest.mark.parametrize("case", PANEL, ids=lambda case: case.name)
def test_no_panel_clinician_part_names_a_source_by_id_or_cites_project_bookkeeping(
    case: PanelPlan,
) -> None:
    plan = case.plan()
    html = render_plan(plan, PlanFormat.html, plan.language).decode()
    part = re.split(r"För förskrivaren|For forskriveren|For the prescriber", html, maxsplit=1)[1]
    text = re.sub(r"<[^>]+>", "", part)
    for source in load_guideline(case.guideline).guideline.sources:
        assert not re.search(rf"(?<![\w.-]){re.escape(source.id)}(?![\w-]|\.\w)", text), source.id
    internal = (
        r"review \d|(?:clinician|nurse) reviews \d|issue \d|\.md\b|§|gjennomgang(?:er)? \d"
        r"|granskning(?:ar)? \d|ärende \d"
        r"|\.no\.no|shared/"
    )
    assert not re.findall(rf"[^.(]{{0,40}}(?:{internal})[^.)]{{0,30}}", text)
    # No command-line option on a printed page (nurse review 9, N12: "--specialist") beyond
    # the nurse's print commands.
    text = PRINT_COMMAND.sub("", text)
    assert not re.findall(r".{0,40}(?<![\w-])--[a-z][\w-]*", text)
