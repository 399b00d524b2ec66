"""The rule files' notes for the prescriber on one drug (clinician review 4): tramadol's
withdrawal and seizure risks on every tramadol plan (D6), and a lower diazepam start for older
patients on every plan that switches to diazepam (D13). Each note names its source, which the
clinician page lists."""

from __future__ import annotations

import datetime as dt

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.guideline.model import Lang
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan
from taper.render.sheet_clinician import sources
from taper.render.view_builder import build_view

START = dt.date(2027, 1, 4)


def plan_of(guideline: str, med: str, lang: Lang = "en") -> Plan:
    return make_plan(
        [parse_medication(med)], load_guideline(guideline), PlanOptions(start=START, lang=lang)
    )


def text_of(plan: Plan, lang: str) -> str:
    return render_plan(plan, PlanFormat.text, lang).decode("utf-8")


def notes(plan: Plan) -> list[str]:
    return [w.code for w in plan.warnings if w.code.startswith("drug-note:")]


@pytest.mark.parametrize(
    ("guideline", "med"),
    [
        ("se-vgr", "tramadol 300 mg"),
        ("no-helsedir", "tramadol 400 mg"),
        ("us-cdc-2022", "tramadol 200 mg"),
    ],
)
def test_tramadol_plans_carry_the_withdrawal_and_seizure_notes(guideline: str, med: str) -> None:
    plan = plan_of(guideline, med)
    assert notes(plan) == ["drug-note:tramadol:withdrawal", "drug-note:tramadol:seizures"]
    assert all(w.severity == "info" for w in plan.warnings if w.code.startswith("drug-note:"))


def test_the_tramadol_note_is_the_rule_files_own_words_in_the_readers_language() -> None:
    text = text_of(plan_of("se-vgr", "tramadol 300 mg", "sv"), "sv")
    assert "panikattacker, svår ångest och hallucinationer" in text
    assert "kramptröskeln" in text
    nb = text_of(plan_of("no-helsedir", "tramadol 400 mg", "nb"), "nb")
    assert "panikkanfall, alvorlig angst og hallusinasjoner" in nb


def test_the_clinician_page_lists_the_notes_sources() -> None:
    loaded = load_guideline("se-vgr")
    plan = plan_of("se-vgr", "tramadol 300 mg")
    listed = sources(build_view(plan, "en", loaded.guideline))
    assert any(s.startswith("RELIS") for s in listed)
    assert any(s.startswith("MIMS") for s in listed)


def test_a_plan_without_tramadol_has_no_tramadol_note() -> None:
    assert notes(plan_of("se-vgr", "oxycodone 20 mg")) == []


def test_a_switch_to_diazepam_carries_the_older_patients_note() -> None:
    # uk-05 of the review: zopiclone 7.5 mg for an 80-year-old, switched to diazepam.
    plan = plan_of("uk-ashton", "zopiclone 7.5 mg")
    assert "drug-note:diazepam:older-start" in notes(plan)
    text = text_of(plan, "en")
    # The UK regulator's words since clinician review 6 (the US label's before).
    assert "often about half the adult dose" in text


def test_a_diazepam_taper_without_a_switch_has_no_switch_note() -> None:
    assert notes(plan_of("uk-ashton", "diazepam 20 mg")) == []


@pytest.mark.parametrize(
    ("guideline", "dose", "shown"),
    [("no-helsedir", 400, True), ("no-helsedir", 300, False), ("se-vgr", 400, True)],
)
def test_tramadol_at_the_label_maximum_is_noted(guideline: str, dose: int, shown: bool) -> None:
    # no-05 of the review starts at 400 mg, the label maximum, and printed no note about it.
    plan = plan_of(guideline, f"tramadol {dose} mg")
    codes = {w.code for w in plan.warnings}
    assert ("threshold:tramadol-label-maximum" in codes) is shown
