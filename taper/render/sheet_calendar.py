"""The calendars of the patient's pages: the tick calendar and the contacts a month a row.

The tick calendar (`tick_weeks`) shows a week a row from the first fixed dose, for the next
months: a box per time of day for every drug of that day together (a patch a box on its
change days and on its take-off day), with new doses and talks noted. The support talks and
aftercare contacts stand a month a row (`contact_months`), the days of each kind together.
`tick_widths` sizes the calendar's columns. Nothing here computes a dose: the boxes only mark
what the planner decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from taper.plan.model import DoseTimeName
from taper.render.labels import KIND_LABELS
from taper.render.sheet_patches import last_patch, patch_change_days
from taper.render.sheet_widths import least_percent, unbreakable
from taper.render.view import PlanView

# The tick calendar covers this many weeks from the first fixed dose: about the months until
# the next replan or print-out. The overview table always covers the whole plan.
TICK_WEEKS = 13
PATCH_TICK_WEEKS = 26
# A plan that ends at most this many weeks after the calendar would is shown to its end: a
# patient is not sent for "the next pages" for a week or two (nurse review 6: Paralgin
# forte's last dose change and its stop fell two weeks after a calendar with room left).
TICK_WEEKS_TO_END = 3


@dataclass(frozen=True)
class TickDay:
    date: dt.date
    label: str  # the long date, for screen readers
    boxes: list[bool]  # one per calendar time: True where a dose is taken that day


@dataclass(frozen=True)
class TickWeek:
    label: str  # the week's first day, "3/3"
    days: list[TickDay | None]  # Monday..Sunday; None outside the calendar
    note: str  # "12/3 new dose · 14/3 talk"


@dataclass(frozen=True)
class MonthItem:
    day: str  # "mån 4, fre 15": the month's days of one kind of contact
    label: str  # "Stödsamtal"


@dataclass(frozen=True)
class MonthView:
    label: str  # "januari 2027"
    items: list[MonthItem]


def tick_widths(
    view: PlanView, tick_times: list[DoseTimeName], weeks: list[TickWeek]
) -> tuple[str, str, str]:
    """The tick calendar's column widths in percent: the week's date, each day (room for
    its boxes, 4.2 mm each with their margins, and the cell's padding), the note (the
    rest: a wide note keeps the weeks one line high)."""
    page = Decimal(182)  # mm: A4 less the margins
    # At least 14 mm: room for the weekday's name ("Wed") above one box.
    boxes = len(tick_times) * Decimal("4.8") + Decimal("1.6")
    day = max(boxes, Decimal(14)) * 100 / page
    # The week's column as wide as its head ("Datum" broke into "Datu/m") and its dates.
    dates = [view.t._("Date"), *(w.label for w in weeks)]
    date = max(Decimal(10), least_percent(dates))
    note = 100 - date - 7 * day
    if notes_below(view, weeks, note):
        # No note column: the days share its room; each note gets a row under its week.
        day = (100 - date) / 7
        note = Decimal(0)
    return (str(date), str(day.quantize(Decimal("0.1"))), str(note.quantize(Decimal("0.1"))))


def notes_below(view: PlanView, weeks: list[TickWeek], room: Decimal) -> bool:
    """Whether the note column is narrower than its head or a word of its notes (four dose
    times a day leave it ~18 mm: "Infor/masjo/n", "samta/le", nurse review 3): the notes
    then stand in a row of their own under each week."""
    words = [view.t._("Note"), *(w.note for w in weeks if w.note)]
    return least_percent(words) > room


def tick_weeks(view: PlanView, times: list[DoseTimeName]) -> tuple[list[TickWeek], str | None]:
    t = view.t
    dosed = [s for s in view.steps if s.kind == "doses"]
    patch_days = patch_change_days(view)
    if not dosed or not times:
        return [], None
    first = min(s.step.start for s in dosed)
    # The day each drug's last patch comes off: in the calendar, with a box and its note
    # (page 1 and the table say "take off 24 March"; the calendar ended the day before).
    offs = {
        off[1]
        for drug in dict.fromkeys(s.step.drug for s in dosed if s.patch)
        if (off := last_patch(view, drug)) is not None
    }
    last = max([*(s.step.end for s in dosed), *offs])
    monday = first - dt.timedelta(days=first.weekday())
    # A patch-only calendar (a box every 3 or 7 days) shows up to half a year: every change
    # day of a typical patch plan, on one page.
    weeks_shown = PATCH_TICK_WEEKS if times == ["patch"] else TICK_WEEKS
    limit = monday + dt.timedelta(weeks=weeks_shown) - dt.timedelta(days=1)
    if last <= limit + dt.timedelta(weeks=TICK_WEEKS_TO_END):
        limit = last
    end = min(last, limit)
    taken: dict[dt.date, set[DoseTimeName]] = {}
    for s in dosed:
        day = max(s.step.start, first)
        while day <= min(s.step.end, end):
            taken.setdefault(day, set()).update(
                d.time
                for d in s.step.doses
                if d.amount > 0 and (d.time != "patch" or day in patch_days)
            )
            day += dt.timedelta(days=1)
    for day_off in offs:
        taken.setdefault(day_off, set()).add("patch")
    changes = {
        s.step.start
        for s in view.steps
        if s.is_change and s.kind != "mapping" and s.step.start > first
    }
    changes -= offs  # the last patch's off day says so, not "new dose"
    talks = {c.checkpoint.date for c in view.appointments}
    weeks = []
    while monday <= end:
        days: list[TickDay | None] = []
        notes = []
        for n in range(7):
            day = monday + dt.timedelta(days=n)
            if day < first or day > end:
                days.append(None)
                continue
            doses = taken.get(day, set())
            days.append(TickDay(day, t.date(day), [time in doses for time in times]))
            # One note a day: "18/1 new dose, talk".
            if day in offs:
                notes.append(t._("%(day)s take off the last patch", day=t.numeric_day(day)))
            if day in changes and day in talks:
                notes.append(t._("%(day)s new dose, talk", day=t.numeric_day(day)))
            elif day in changes:
                notes.append(t._("%(day)s new dose", day=t.numeric_day(day)))
            elif day in talks:
                notes.append(t._("%(day)s talk", day=t.numeric_day(day)))
        weeks.append(TickWeek(t.numeric_day(max(monday, first)), days, " · ".join(notes)))
        monday += dt.timedelta(weeks=1)
    return weeks, t.date(end) if end < last else None


def contact_months(view: PlanView) -> list[MonthView]:
    """A row a month: the days of each kind of contact together ("Mon 4, Fri 15 Support
    talk"), so that a month with several talks still fits on a line or two."""
    t = view.t
    months: dict[tuple[int, int], dict[str, list[str]]] = {}
    labels: dict[tuple[int, int], str] = {}
    for c in view.appointments:
        day = c.checkpoint.date
        key = (day.year, day.month)
        labels.setdefault(key, t.month_year(day))
        # The kind's short label ("Support talk"), not the title ("Support talk before a
        # dose change"): a month's contacts fit on one line; the topics below say the rest.
        kind = t._(KIND_LABELS[c.checkpoint.kind])
        months.setdefault(key, {}).setdefault(kind, []).append(
            unbreakable(f"{c.weekday} {day.day}")
        )
    return [
        MonthView(labels[key], [MonthItem(", ".join(days), kind) for kind, days in kinds.items()])
        for key, kinds in months.items()
    ]
