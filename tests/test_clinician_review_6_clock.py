"""Clinician review 6, D8 (helper-notes/clinician-review-6.md): a Paralgin forte plan said
"at least 6 hours between doses. For example at 06, 12, 18 and 24" above steps whose four
doses were labelled Morning, Midday, Afternoon and Evening. Where a product's least time
between doses makes the day's names misleading, every output labels the doses by the clock,
with the same hours as the line (taper.render.clock); co-codamol, 4 hours apart, keeps the
names."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.dose_clock import clock_hours, spread_drop_ranks
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan
from taper.render.as_html import PATIENT_END
from taper.render.clock import plan_clock
from taper.render.i18n import Lang

START = dt.date(2027, 1, 4)
NAMES = {
    "en": ("Morning", "Midday", "Afternoon", "Evening"),
    "sv": ("Morgon", "Mitt på dagen", "Eftermiddag", "Kväll"),
    "nb": ("Morgen", "Midt på dagen", "Ettermiddag", "Kveld"),
}


def plan_of(guideline: str, med: str, lang: Lang = "en") -> Plan:
    return make_plan(
        [parse_medication(med)], load_guideline(guideline), PlanOptions(start=START, lang=lang)
    )


def out(plan: Plan, fmt: PlanFormat, lang: str) -> str:
    return render_plan(plan, fmt, lang).decode("utf-8")


def test_clock_hours_give_the_day_names_up_to_12_hours_and_a_waking_day_up_to_16() -> None:
    assert clock_hours(4, 4) is None  # 08-20: morning, midday, afternoon, evening
    assert clock_hours(3, 6) is None
    assert clock_hours(3, 7) == (7, 14, 21)  # fits 07-23
    assert clock_hours(4, 6) == (6, 12, 18, 24)  # 18 hours: the last at bedtime
    assert clock_hours(1, 6) is None


def test_doses_by_the_clock_are_dropped_so_the_ones_left_stay_spread() -> None:
    """Rank of each dose in the order they are dropped (lowest first): 06, then 18, then 12;
    the bedtime dose at 24 last (two left: 12 and 24, 12 hours apart)."""
    assert spread_drop_ranks((6, 12, 18, 24)) == (0, 2, 1, 3)
    assert spread_drop_ranks((7, 14, 21)) == (1, 0, 2)  # 07 and 21 stay, 14 hours apart


@pytest.mark.parametrize(
    ("lang", "label", "line"),
    [
        ("en", "At 06", "your dose times are 06, 12, 18 and 24, the last at bedtime"),
        ("sv", "Kl. 06", "Dina dostider är kl. 06, 12, 18 och 24, den sista vid sänggåendet"),
        ("nb", "Kl. 06", "Dine dosetider er kl. 06, 12, 18 og 24, den siste ved leggetid"),
    ],
)
def test_d8_paralgin_forte_doses_are_labelled_by_the_clock_the_line_gives(
    lang: Lang, label: str, line: str
) -> None:
    plan = plan_of("no-helsedir", "Paralgin forte 240 mg", lang)
    text = out(plan, PlanFormat.text, lang)
    sheet = out(plan, PlanFormat.html, lang).partition(PATIENT_END)[0]
    for page in (text, sheet):
        assert line in page
        assert label in page
        assert "For example" not in page
        for name in NAMES[lang]:
            assert name not in page, name
    steps = text.split("\n\n")[2]
    assert steps.count(label) >= 5  # every step that has a dose at 06 (the first dropped)


def test_d8_paralgin_forte_clock_keeps_every_two_doses_six_hours_apart() -> None:
    plan = plan_of("no-helsedir", "Paralgin forte 240 mg")
    clock = plan_clock(plan, load_guideline("no-helsedir").guideline)
    assert clock == {"morning": "06", "midday": "12", "afternoon": "18", "evening": "24"}
    for step in plan.steps:
        hours = sorted(int(clock[d.time]) for d in step.doses if d.amount > 0)
        if len(hours) < 2:
            continue
        gaps = [b - a for a, b in itertools.pairwise(hours)]
        gaps.append(24 - hours[-1] + hours[0])  # overnight, to the next day's first dose
        assert min(gaps) >= 6, (step.index, hours)
        # Clinician review 8: the doses left stay spread round the clock (two at 12 and 24,
        # not 06 and 24 with 18 hours between them).
        assert max(gaps) <= 12, (step.index, hours)


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_d8_co_codamol_four_hourly_keeps_the_day_names(lang: Lang) -> None:
    plan = plan_of("uk-ashton", "co-codamol 240 mg", lang)
    assert plan_clock(plan, load_guideline("uk-ashton").guideline) == {}
    text = out(plan, PlanFormat.text, lang)
    sheet = out(plan, PlanFormat.html, lang).partition(PATIENT_END)[0]
    # Nurse review 6: the four doses 4 hours apart (1 g paracetamol each) get an example
    # from 08, so "midday" and "afternoon" are not taken too close together.
    apart = {
        "en": "Co-codamol 30/500 tablets: at least 4 hours between doses. For example at 08, "
        "12, 16 and 20.\n",
        "sv": "Co-codamol 30/500 tablets: minst 4 timmar mellan varje dos. Till exempel kl. 08, "
        "12, 16 och 20.\n",
        "nb": "Co-codamol 30/500 tablets: minst 4 timer mellom hver dose. For eksempel kl. 08, "
        "12, 16 og 20.\n",
    }[lang]
    assert apart in text
    for page in (text, sheet):
        for name in NAMES[lang]:
            assert name in page, name
        assert "06, 12" not in page


def test_d8_a_span_that_fits_a_waking_day_starts_at_07() -> None:
    """A product 5 hours apart, four times a day (15 hours), fits 07-23: labelled 07, 12, 17
    and 22, and the line gives those hours without the bedtime sentence."""
    from taper.render.advice import interval_advice
    from taper.render.view_builder import build_view

    plan = plan_of("uk-ashton", "co-codamol 240 mg")
    guideline = load_guideline("uk-ashton").guideline
    formulary = [
        p.model_copy(
            update={"regimen": p.regimen.model_copy(update={"min_hours_between_doses": 5})}
        )
        if p.brand == "Co-codamol 30/500 tablets" and p.regimen is not None
        else p
        for p in guideline.formulary
    ]
    five = guideline.model_copy(update={"formulary": formulary})
    assert plan_clock(plan, five) == {
        "morning": "07",
        "midday": "12",
        "afternoon": "17",
        "evening": "22",
    }
    view = build_view(plan, "en", five)
    assert interval_advice(view) == [
        "Co-codamol 30/500 tablets: at least 5 hours between doses. "
        "Your dose times: 07, 12, 17 and 22."
    ]
    assert {d.label for s in view.steps for d in s.doses} == {"At 07", "At 12", "At 17", "At 22"}
