"""Issue 13 (nurse review 6, sheet 1 (a)): the tick calendar of a plan of two drugs gives each
drug its own boxes, named, and a drug's boxes only at the times it is taken that day; the
calendar of a later week (`--calendar-from`)."""

from __future__ import annotations

import datetime as dt

from tail_helpers import with_tail  # the tails these tests pin (tail_helpers.py)

from taper.dose import parse_medication
from taper.guideline.model import Lang
from taper.plan import PlanOptions, make_plan
from taper.render import PlanFormat, render_plan
from taper.render.sheet import Sheet, build_sheet
from taper.render.sheet_calendar import ROWS_ON_A_PAGE, TickWeek, tick_weeks
from taper.render.view import PlanView
from taper.render.view_builder import build_view

START = dt.date(2027, 1, 4)
TWO_DRUGS = ("oxycodone 40 mg", "oxazepam 30 mg")


def view_of(guideline: str, meds: tuple[str, ...], lang: Lang = "sv") -> PlanView:
    loaded = with_tail(guideline)
    options = PlanOptions(start=START, lang=lang)
    plan = make_plan([parse_medication(m, loaded.guideline) for m in meds], loaded, options)
    return build_view(plan, lang, loaded.guideline)


def boxes(week: TickWeek, drug: str, day: dt.date) -> list[bool] | None:
    """The drug's boxes on the day (None: no row or no day for it)."""
    for row in week.rows:
        if row.drug == drug:
            for d in row.days:
                if d is not None and d.date == day:
                    return d.boxes
    return None


def week_of(weeks: list[TickWeek], day: dt.date) -> TickWeek:
    return next(w for w in weeks if any(d and d.date == day for row in w.rows for d in row.days))


def test_two_drugs_each_have_their_own_named_boxes() -> None:
    """One set of boxes for "oxikodon, oxazepam" could not record the oxazepam taken and the
    oxycodone missed."""
    sheet: Sheet = build_sheet(view_of("se-vgr", TWO_DRUGS))
    assert sheet.tick_times == ["morning", "midday", "evening"]
    assert sheet.tick_drugs
    first = sheet.weeks[0]
    assert [row.drug for row in first.rows] == ["oxikodon", "oxazepam"]
    monday = dt.date(2027, 1, 11)
    # Oxycodone morning and evening; oxazepam three times a day.
    assert boxes(first, "oxikodon", monday) == [True, False, True]
    assert boxes(first, "oxazepam", monday) == [True, True, True]
    html = render_plan(sheet.view.plan, PlanFormat.html, "sv").decode()
    calendar = html.split('<table class="ticks">', 1)[1].split("</table>", 1)[0]
    assert calendar.count('<th scope="row" class="drug">oxikodon</th>') == len(sheet.weeks)
    assert calendar.count('<tbody class="week">') == len(sheet.weeks)
    assert 'aria-label="oxazepam 11 januari 2027 Mitt på dagen"' in calendar
    assert 'aria-label="oxikodon 11 januari 2027 Mitt på dagen"' not in calendar


def test_a_drug_has_boxes_only_at_its_times_and_none_after_its_stop() -> None:
    """From 4 May the oxycodone is evening only; from 11 May it is stopped: its row has no
    day after 10 May and no row in the weeks after, the oxazepam goes on."""
    view = view_of("se-vgr", TWO_DRUGS)
    times = build_sheet(view).tick_times
    weeks, _ = tick_weeks(view, times, start=dt.date(2027, 4, 26))
    may = week_of(weeks, dt.date(2027, 5, 4))
    assert boxes(may, "oxikodon", dt.date(2027, 5, 3)) == [True, False, True]
    assert boxes(may, "oxikodon", dt.date(2027, 5, 4)) == [False, False, True]
    stop_week = week_of(weeks, dt.date(2027, 5, 10))
    assert boxes(stop_week, "oxikodon", dt.date(2027, 5, 10)) == [False, False, True]
    assert boxes(stop_week, "oxikodon", dt.date(2027, 5, 11)) is None  # stopped
    assert boxes(stop_week, "oxazepam", dt.date(2027, 5, 11)) == [True, True, True]
    assert "11/5 sluta med oxikodon" in stop_week.note  # the stop day names its drug
    after = week_of(weeks, dt.date(2027, 5, 17))
    assert [row.drug for row in after.rows] == ["oxazepam"]


def test_a_one_drug_calendar_keeps_one_unnamed_row_a_week() -> None:
    sheet = build_sheet(view_of("se-vgr", ("oxazepam 25 mg",)))
    assert not sheet.tick_drugs
    assert all(len(w.rows) == 1 and w.rows[0].drug is None for w in sheet.weeks)
    assert len(sheet.weeks) == 13


def test_a_two_drug_calendar_with_notes_below_its_weeks_stays_on_one_page() -> None:
    """Zopiclone and oxazepam, four dose times: two rows a week and a note row under it. The
    calendar shows the weeks its page holds and says where it stops."""
    sheet = build_sheet(view_of("se-vgr", ("zopiclone 7.5 mg", "oxazepam 15 mg")))
    assert sheet.notes_below
    rows = sum(len(w.rows) + (1 if w.note else 0) for w in sheet.weeks)
    assert rows <= ROWS_ON_A_PAGE
    assert len(sheet.weeks) < 13
    assert sheet.ticks_until is not None


def test_nurse_review7_a_drugs_stop_is_named_in_the_calendar_note() -> None:
    """Nurse review 7: on the two-drug calendar the oxycodone stop was noted "11/5 ny dos"
    while oxazepam went on; it now says which drug stops."""
    view = view_of("se-vgr", TWO_DRUGS)
    times = build_sheet(view).tick_times
    weeks, _ = tick_weeks(view, times, start=dt.date(2027, 4, 26))
    stop_week = week_of(weeks, dt.date(2027, 5, 10))
    assert "11/5 sluta med oxikodon" in stop_week.note
    assert "11/5 ny dos" not in stop_week.note
