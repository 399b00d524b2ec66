"""Patch plans on the printed sheet (nurse review P5-1..3): every dose change on a patch
change day, the change days in the tick calendar, one wording for the last patch, and a dose
curve whose axis labels fit."""

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
from taper.render.curve import LEFT, label_width, svg_curve
from taper.render.sheet import build_sheet
from taper.render.sheet_patches import last_patch, patch_change_days
from taper.render.view import PlanView
from taper.render.view_builder import build_view

START = dt.date(2027, 1, 4)  # a Monday, as in the nurse's review

PATCHES = [
    ("no-helsedir", "fentanyl patch 50 mcg/h", 3, "nb"),
    ("se-vgr", "fentanyl 50 mcg/h", 3, "sv"),
    ("se-vgr", "buprenorphine patch 20 mcg/h", 7, "sv"),
    ("no-helsedir", "buprenorphine patch 20 mcg/h", 7, "nb"),
]


def plan_of(guideline: str, med: str, lang: Lang) -> Plan:
    options = PlanOptions(start=START, lang=lang)
    return make_plan([parse_medication(med)], with_tail(guideline), options)


def view_of(guideline: str, med: str, lang: Lang) -> PlanView:
    loaded = with_tail(guideline)
    plan = make_plan([parse_medication(med)], loaded, PlanOptions(start=START, lang=lang))
    return build_view(plan, lang, loaded.guideline)


@pytest.mark.parametrize(("guideline", "med", "every", "lang"), PATCHES)
def test_every_patch_step_starts_on_a_change_day_and_lasts_whole_patches(
    guideline: str, med: str, every: int, lang: Lang
) -> None:
    """P5-2: the stabilisation phase was 7 days of a 72-hour patch (2⅓ patches), so the
    first taper step began mid-patch and a patch was worn 1 day."""
    plan = plan_of(guideline, med, lang)
    worn = [s for s in plan.steps if s.phase not in ("mapping", "aftercare") and s.dose > 0]
    assert worn
    first = worn[0].start
    for step in worn:
        assert (step.start - first).days % every == 0, step
        assert ((step.end - step.start).days + 1) % every == 0, step


def test_the_nurses_fentanyl_plan_changes_patches_on_its_own_cycle() -> None:
    plan = plan_of("no-helsedir", "fentanyl patch 50 mcg/h", "nb")
    starts = [s.start for s in plan.steps if s.phase == "taper" and s.dose > 0]
    assert starts[0] == dt.date(2027, 1, 20)  # stabilisation 11-19 Jan: three patches
    assert all((day - dt.date(2027, 1, 11)).days % 3 == 0 for day in starts)


def test_the_tick_calendar_has_a_patch_box_on_change_days_only() -> None:
    """A box on each change day, and on the day the last patch comes off (nurse review 2,
    A-9: the calendar showed no day to take it off)."""
    view = view_of("no-helsedir", "fentanyl patch 50 mcg/h", "nb")
    sheet = build_sheet(view)
    assert sheet.tick_times == ["patch"]
    last = last_patch(view)
    assert last is not None
    days = patch_change_days(view) | {last[1]}
    boxed = {
        d.date for week in sheet.weeks for row in week.rows for d in row.days if d and d.boxes[0]
    }
    shown = {d.date for week in sheet.weeks for row in week.rows for d in row.days if d}
    assert boxed == days & shown
    assert dt.date(2027, 1, 11) in boxed
    assert dt.date(2027, 1, 14) in boxed
    assert dt.date(2027, 1, 12) not in boxed
    # Every dose change is a change day.
    changes = {s.step.start for s in view.steps if s.is_change and s.kind == "doses"}
    assert changes
    assert changes <= days


@pytest.mark.parametrize(
    ("lang", "on", "off"),
    [
        (
            "nb",
            "sett på 20. april 2027, ta av 23. april 2027",
            "Sett på det siste plasteret 20. april 2027",
        ),
        ("sv", "sätt på", "Sätt på det sista plåstret"),
        ("en", "put on", "Put on the last patch"),
    ],
)
def test_patient_text_and_the_table_give_the_same_last_patch_dates(
    lang: Lang, on: str, off: str
) -> None:
    """P5-3: page 1 said 'last patch 2 May', the table 'take it off 3 May'."""
    guideline = "no-helsedir" if lang == "nb" else "se-vgr"
    view = view_of(guideline, "fentanyl patch 50 mcg/h", lang)
    days = last_patch(view)
    assert days is not None
    put_on, take_off = days
    assert (take_off - put_on).days == 3
    assert put_on in patch_change_days(view)
    html = render_plan(view.plan, PlanFormat.html, lang).decode()
    patient = html.split('id="patient-end"')[0]
    patient_text = re.sub(r"<[^>]+>", " ", patient)
    dates = (view.t.date(put_on), view.t.date(take_off))
    assert patient_text.count(dates[1]) >= 2, "page 1 and the table name the same day"
    assert on in patient_text
    assert off in patient_text


@pytest.mark.parametrize("lang", ["nb", "sv", "en"])
def test_patch_curve_labels_fit_the_left_margin(lang: Lang) -> None:
    """P5-1: '50 mikrogram/time' ran off the left edge ('ram/time')."""
    guideline = "no-helsedir" if lang == "nb" else "se-vgr"
    view = view_of(guideline, "fentanyl patch 50 mcg/h", lang)
    svg = svg_curve(view)
    # The dose labels, set by their end at the axis (a month label may end at the right edge).
    labels = re.findall(rf'<text x="{LEFT - 12}.0" [^>]*text-anchor="end"[^>]*>([^<]*)<', svg)
    assert labels
    assert all(label_width(text) <= LEFT - 12 for text in labels), labels
    assert "50" in labels
    assert re.search(r'<text x="0" y="\d+" fill="#000">mcg/h</text>', svg)


def test_a_calendar_a_few_weeks_short_of_the_plans_end_goes_to_its_end() -> None:
    """Nurse review 6: Paralgin forte's tick calendar stopped on 11 April with room left on
    its page; the last dose change (13 April) and the last dose (26 April) were on "the next
    pages". A plan that ends at most three weeks after the 13-week calendar is shown to its
    end; a longer one still stops at 13 weeks."""
    from taper.render.sheet_calendar import tick_weeks

    view = view_of("no-helsedir", "Paralgin forte 240 mg", "nb")
    times = [d.time for s in view.plan.steps for d in s.doses]
    weeks, more = tick_weeks(view, list(dict.fromkeys(times)))
    assert more is None
    assert len(weeks) > 13
    long_view = view_of("uk-ashton", "diazepam 20 mg", "en")
    long_times = [d.time for s in long_view.plan.steps for d in s.doses]
    long_weeks, long_more = tick_weeks(long_view, list(dict.fromkeys(long_times)))
    assert len(long_weeks) == 13
    assert long_more is not None
