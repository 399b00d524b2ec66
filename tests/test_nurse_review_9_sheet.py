"""Nurse review 9 (/work/helper-notes/nurse-review-9.md), the printed sheet's findings N5, N7
and N8, each pinned: a product's least-time line above its own first row, the drug named with
page 1's next dose change, and the tick calendar's last week saying the last tablet."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan
from taper.render.as_html import PATIENT_END
from taper.render.i18n import texts

START = dt.date(2027, 1, 4)


@cache
def _plan(rule: str, *meds: str, switch: bool | None = None) -> Plan:
    options = PlanOptions(start=START, switch=switch)
    return make_plan([parse_medication(m) for m in meds], load_guideline(rule), options)


@cache
def _patient_pages(rule: str, meds: tuple[str, ...], lang: str, switch: bool | None = None) -> str:
    html = render_plan(_plan(rule, *meds, switch=switch), PlanFormat.html, lang).decode()
    return html.partition(PATIENT_END)[0].replace("\u00a0", " ")


def _table(html: str) -> str:
    return html.split('<table class="overview">', 1)[1].split("</table>", 1)[0]


# --- N5: each product's interval line above its own first row -------------------------------


def test_n5_the_immediate_release_interval_stands_above_its_first_row_not_the_oxycontin_rows() -> (
    None
):
    """us-cdc-2022 oxycodone 60 mg: "at least 4 hours between doses" of the immediate-release
    tablets stood above the whole table, over OxyContin rows that say "12 hours apart"."""
    html = _patient_pages("us-cdc-2022", ("oxycodone 60 mg",), "en")
    intro, table = html.split('<table class="overview">', 1)
    line = "Oxycodone hydrochloride tablets: at least 4 hours between doses."
    assert line not in intro
    assert table.count(line) == 1
    # Under the immediate-release product's heading, before its first row (April 21), and
    # after every OxyContin row.
    heading = table.index('<tr class="heading"><th scope="colgroup" colspan="6">Oxycodone hydro')
    at = table.index(line)
    first_ir_row = table.index("Apr 21")
    assert heading < at < first_ir_row
    assert table.rindex("OxyContin (oxycodone)</th>", 0, at) < at
    # The depot line still heads the OxyContin rows only.
    assert table.index("Take them 12 hours apart") < table.index("Jan 11")


def test_n5_a_product_in_every_row_keeps_its_interval_line_above_the_table() -> None:
    """Co-codamol is in every dose row: its line stays above the table, said once."""
    html = _patient_pages("uk-ashton", ("co-codamol 240 mg",), "en")
    intro = html.split('<table class="overview">', 1)[0]
    line = "Co-codamol 30/500 tablets: at least 4 hours between doses."
    assert line in intro
    assert line not in _table(html)


# --- N8: page 1's next dose change names the drug -------------------------------------------


def _next_change(html: str, lang: str) -> str:
    label = texts(lang)._("Next dose change")
    found = re.search(rf"{re.escape(label)}</th><td>([^<]*)</td>", html)
    assert found is not None
    return found.group(1)


def test_n8_the_next_dose_change_of_two_drugs_names_the_drug() -> None:
    """se-vgr oxycodone 40 mg + oxazepam 30 mg: "Nästa dosändring mån 1 feb." was
    oxycodone's change, which page 1 did not say."""
    html = _patient_pages("se-vgr", ("oxycodone 40 mg", "oxazepam 30 mg"), "sv")
    assert _next_change(html, "sv") == "mån 1 feb. (oxikodon)"


def test_n8_a_switch_names_both_drugs_whose_doses_change_that_day() -> None:
    html = _patient_pages("no-helsedir", ("alprazolam 3 mg",), "nb", switch=True)
    assert _next_change(html, "nb") == "ma. 1. feb. (alprazolam, diazepam)"


def test_n8_a_one_drug_plan_names_no_drug() -> None:
    html = _patient_pages("se-vgr", ("oxazepam 30 mg",), "sv")
    assert "(" not in _next_change(html, "sv")


# --- N7: the tick calendar's last week says the last tablet ---------------------------------


def _week_notes(html: str) -> list[str]:
    return re.findall(r'class="week-note"[^>]*>([^<]*)<', html)


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("nb", "26.2. samtale · 28.2. siste tablett"),
        ("sv", "26/2 samtal · 28/2 sista tabletten"),
        ("en", "26/02 talk · 28/02 last tablet"),
    ],
)
def test_n7_the_zopiclone_calendar_s_last_week_says_the_last_tablet(lang: str, note: str) -> None:
    """no-helsedir zopiclone 7.5 mg: the last week had boxes to Sunday 28 February and only
    "26.2. samtale"."""
    html = _patient_pages("no-helsedir", ("zopiclone 7.5 mg",), lang)
    assert _week_notes(html)[-1] == note


def test_n7_a_calendar_that_stops_before_the_last_dose_says_no_last_tablet() -> None:
    """se-vgr oxazepam: the calendar's 13 weeks end months before the last tablet."""
    html = _patient_pages("se-vgr", ("oxazepam 30 mg",), "sv")
    assert not any("sista tabletten" in note for note in _week_notes(html))


def test_n7_a_patch_plan_s_last_day_keeps_its_take_off_note_only() -> None:
    html = _patient_pages("no-helsedir", ("fentanyl patch 12 mcg/h",), "nb")
    notes = " ".join(_week_notes(html))
    assert "siste tablett" not in notes
    assert "siste dose" not in notes
