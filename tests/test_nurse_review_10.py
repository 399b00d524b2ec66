"""Nurse review 10 (helper-notes/nurse-review-10.md), F1: "Stop taking OxyContin" stood
under the first row of the new immediate-release tablets, where a patient reads it as the next
row's, and may take the depot tablets beside the new ones for a month. The product change is
said above the row it begins."""

from __future__ import annotations

import datetime as dt
import re

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.render import PlanFormat, render_plan


def _patient_html(guideline: str, medication: str, lang: str) -> str:
    """The patient's pages of the sheet for one medication, from 4 January 2027."""
    made = make_plan(
        [parse_medication(medication)],
        load_guideline(guideline),
        PlanOptions(start=dt.date(2027, 1, 4)),
    )
    return (
        render_plan(made, PlanFormat.html, lang).decode().split('<section class="clinician', 1)[0]
    )


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _rows(guideline: str, medication: str, lang: str) -> list[str]:
    patient = _patient_html(guideline, medication, lang)
    table = patient.split('<table class="overview', 1)[1].split("</table>", 1)[0]
    rows = ["<tr" + row for row in table.split("<tr")[1:]]
    return [_words(row).strip() for row in rows]


def test_nurse_review10_f1_the_product_change_stands_above_its_first_row() -> None:
    rows = _rows("us-cdc-2022", "oxycodone 60 mg", "en")
    said = next(i for i, row in enumerate(rows) if "Stop taking OxyContin." in row)
    assert rows[said].startswith("A lower dose, now as Oxycodone hydrochloride tablets.")
    assert rows[said + 1].startswith("Apr 21 – May 20")
    assert "Stop taking" not in rows[said - 1]


def test_the_swedish_tramadol_sheet_says_the_change_before_the_capsules() -> None:
    rows = _rows("se-vgr", "tramadol 200 mg", "sv")
    said = next(i for i, row in enumerate(rows) if "Sluta ta Tradolan Retard." in row)
    assert re.match(r"\d+ feb\.", rows[said + 1])  # the first row of the capsules
    assert not re.match(r"\d+ feb\.", rows[said - 1])  # not under it


def _patient_text(guideline: str, medication: str, lang: str) -> str:
    return _words(_patient_html(guideline, medication, lang))


def test_nurse_review10_f9_an_opioid_sheet_says_not_to_stop_on_one_s_own() -> None:
    """F9: the US oxycodone sheet had no 'do not stop on your own' line; CDC 2022 (us-cdc-2022)
    and NICE NG215 (uk-ashton) say an opioid is not stopped abruptly."""
    line = (
        "Do not stop or lower your opioid on your own: stopping suddenly can give strong "
        "withdrawal. Talk to your contact person first."
    )
    assert line in _patient_text("us-cdc-2022", "oxycodone 60 mg", "en")
    assert line in _patient_text("uk-ashton", "morphine 60 mg", "en")
    # A benzodiazepine keeps its own sentence and gets no opioid one.
    assert line not in _patient_text("uk-ashton", "diazepam 20 mg", "en")
