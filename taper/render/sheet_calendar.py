"""The calendars of the patient's pages: the tick calendar and the contacts a month a row.

The tick calendar (`tick_weeks`) shows a week a row from the first fixed dose (or from a later
week, for a later print), for the next months: a box per time of day (a patch a box on its
change days and on its take-off day), a row per drug where several are taken, each drug's boxes
only on its own days, with new doses and talks noted. The support talks and
aftercare contacts stand a month a row (`contact_months`), the days of each kind together.
`tick_widths` sizes the calendar's columns. Nothing here computes a dose: the boxes only mark
what the planner decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from taper.errors import TaperError
from taper.plan.model import DoseTimeName
from taper.render.labels import KIND_LABELS
from taper.render.sheet_patches import last_patch, patch_change_days
from taper.render.sheet_widths import least_percent, unbreakable, wrapped_lines
from taper.render.view import PlanView

# The tick calendar covers this many weeks from the first fixed dose: about the months until
# the next replan or print-out. The overview table always covers the whole plan.
TICK_WEEKS = 13
PATCH_TICK_WEEKS = 26
# A plan that ends at most this many weeks after the calendar would is shown to its end: a
# patient is not sent for "the next pages" for a week or two (nurse review 6: Paralgin
# forte's last dose change and its stop fell two weeks after a calendar with room left).
TICK_WEEKS_TO_END = 3
# A calendar of several drugs has a row per drug a week, and its notes a row under the week
# where they take no column: at most this many rows, so that it stays on one page (a
# 13-week calendar of two drugs and four dose times a day spilled two weeks overleaf).
ROWS_ON_A_PAGE = 26
# ... and where the notes stand in rows under the weeks, fewer (nurse review 7: a stop's note,
# "11/5 sluta med oxikodon", took the notes out of their column and the calendar from 12
# April spilled a week overleaf at 26).
ROWS_ON_A_PAGE_NOTES_BELOW = 24


@dataclass(frozen=True)
class TickDay:
    date: dt.date
    label: str  # the long date, for screen readers
    boxes: list[bool]  # one per calendar time: True where a dose is taken that day


@dataclass(frozen=True)
class TickRow:
    """One drug's boxes in a week (nurse review 6: one set of boxes for two drugs could not
    record the oxazepam taken and the oxycodone missed)."""

    drug: str | None  # the drug's name on a calendar of several drugs; None: one drug
    days: list[TickDay | None]  # Monday..Sunday; None outside the calendar or the drug's days


@dataclass(frozen=True)
class TickWeek:
    label: str  # the week's first day, "3/3"
    rows: list[TickRow]  # a row per drug taken that week
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
    view: PlanView,
    tick_times: list[DoseTimeName],
    weeks: list[TickWeek],
    first: list[TickWeek] | None = None,
) -> tuple[str, str, str, str]:
    """The tick calendar's column widths in percent: the week's date, the drug (0 on a
    one-drug calendar), each day (room for its boxes, 4.2 mm each with their margins, and the
    cell's padding), the note (the rest: a wide note keeps the weeks one line high)."""
    page = Decimal(182)  # mm: A4 less the margins
    # At least 14 mm: room for the weekday's name ("Wed") above one box.
    boxes = len(tick_times) * Decimal("4.8") + Decimal("1.6")
    day = max(boxes, Decimal(14)) * 100 / page
    # The week's column as wide as its head ("Datum" broke into "Datu/m") and its dates.
    head = least_percent([view.t._("Date")])
    labels = least_percent([w.label for w in weeks])
    names = [row.drug for w in weeks for row in w.rows if row.drug]
    if names:
        # The head spans the dates and the drugs' names (a head of its own, "Läkemedel",
        # left the notes no column): each column as wide as its words, the two the head's.
        date = labels
        drug = max(least_percent(names, bold=False), head - date)
    else:
        date = max(Decimal(10), head, labels)
        drug = Decimal(0)
    note = 100 - date - drug - 7 * day
    if notes_below(view, weeks, note, first):
        # No note column: the days share its room; each note gets a row under its week.
        day = (100 - date - drug) / 7
        note = Decimal(0)
    return (
        str(date),
        str(drug),
        str(day.quantize(Decimal("0.1"))),
        str(note.quantize(Decimal("0.1"))),
    )


def notes_below(
    view: PlanView, weeks: list[TickWeek], room: Decimal, first: list[TickWeek] | None = None
) -> bool:
    """Whether the note column is narrower than its head or a word of its notes (four dose
    times a day leave it ~18 mm: "Infor/masjo/n", "samta/le", nurse review 3): the notes
    then stand in a row of their own under each week. `weeks` are all the plan's
    (`calendar_layout`), so that every print of its calendar has the same columns. A calendar
    of several drugs measures its notes as printed, not bold, and puts them under the weeks
    where, on the sheet's own calendar (`first`), they would wrap to more lines than the rows
    under them take ("11/01 / talk · / 15/01 / talk")."""
    several = any(row.drug for w in weeks for row in w.rows)
    notes = [w.note for w in weeks if w.note]
    if max(least_percent([note_heading(view)]), least_percent(notes, bold=not several)) > room:
        return True
    shown = weeks if first is None else first
    return several and week_rows(shown, None) < week_rows(shown, room)


def note_heading(view: PlanView) -> str:
    """The head of the calendar's note column, on a calendar of several drugs too (nurse
    review 8: its column had none)."""
    return view.t._("Note")


def week_rows(weeks: list[TickWeek], room: Decimal | None) -> int:
    """The calendar's height in rows: each week's drugs, and its note's lines where the note
    column (`room` percent wide) holds more of them, or a row under it (no column: None)."""
    if room is None:
        return sum(len(w.rows) + (1 if w.note else 0) for w in weeks)
    return sum(max(len(w.rows), wrapped_lines(w.note, room)) for w in weeks)


@dataclass(frozen=True)
class Span:
    """The days the tick calendar can show: from the first fixed dose to the last dose (or the
    day the last patch comes off), and each drug's own first and last such day."""

    first: dt.date
    last: dt.date
    drugs: dict[str, tuple[dt.date, dt.date]]
    offs: dict[str, dt.date]  # the day each drug's last patch comes off


def calendar_span(view: PlanView) -> Span | None:
    dosed = [s for s in view.steps if s.kind == "doses"]
    if not dosed:
        return None
    # The day each drug's last patch comes off: in the calendar, with a box and its note
    # (page 1 and the table say "take off 24 March"; the calendar ended the day before).
    offs = {
        drug: off[1]
        for drug in dict.fromkeys(s.step.drug for s in dosed if s.patch)
        if (off := last_patch(view, drug)) is not None
    }
    drugs: dict[str, tuple[dt.date, dt.date]] = {}
    for s in dosed:
        begin, end = drugs.get(s.step.drug, (s.step.start, s.step.end))
        drugs[s.step.drug] = (min(begin, s.step.start), max(end, s.step.end))
    for drug, off_day in offs.items():
        drugs[drug] = (drugs[drug][0], max(drugs[drug][1], off_day))
    first = min(begin for begin, _ in drugs.values())
    last = max(end for _, end in drugs.values())
    return Span(first, last, drugs, offs)


def check_calendar_from(view: PlanView, day: dt.date) -> None:
    """A later print's first day (`--calendar-from`) within the plan: one sentence if not."""
    span = calendar_span(view)
    if span is None:
        raise TaperError("This plan has no doses to tick, so --calendar-from has no calendar.")
    if day < view.plan.start:
        raise TaperError(
            f"--calendar-from {day.isoformat()} is before the plan starts "
            f"({view.plan.start.isoformat()}); give a date from the plan's start to "
            f"{span.last.isoformat()}."
        )
    if day > span.last:
        raise TaperError(
            f"--calendar-from {day.isoformat()} is after the plan's last dose "
            f"({span.last.isoformat()}); there is nothing left to tick."
        )


def next_calendar_day(weeks: list[TickWeek]) -> dt.date | None:
    """The day after the calendar's last day: where a later print starts."""
    days = [day.date for week in weeks[-1:] for row in week.rows for day in row.days if day]
    return max(days) + dt.timedelta(days=1) if days else None


def calendar_layout(view: PlanView, times: list[DoseTimeName]) -> tuple[str, str, str, str]:
    """The tick calendar's columns (`tick_widths`) for every print of the plan's calendar:
    measured on all its weeks, so the sheet's calendar and each later one (`--calendar-from`)
    look the same (nurse review 8: the sheet's notes stood in a column, a later print's in rows
    under the weeks, for the same plan). The words must fit on every week; whether the notes
    stand under the weeks is decided on the sheet's calendar (`notes_below`), whose weeks it
    keeps: a later print goes on in the same columns."""
    every = tick_weeks(view, times, whole=True)[0]
    return tick_widths(view, times, every, tick_weeks(view, times)[0])


def tick_weeks(
    view: PlanView, times: list[DoseTimeName], start: dt.date | None = None, whole: bool = False
) -> tuple[list[TickWeek], str | None]:
    """The calendar's weeks from the first fixed dose, or from the week holding `start` (a
    later print: `--calendar-from`), and the last day shown where the plan goes on after it;
    `whole`: every week to the plan's last dose (to measure the columns on)."""
    t = view.t
    span = calendar_span(view)
    if span is None or not times:
        return [], None
    first = span.first
    if start is not None:
        first = max(first, start - dt.timedelta(days=start.weekday()))
    last = span.last
    monday = first - dt.timedelta(days=first.weekday())
    # A patch-only calendar (a box every 3 or 7 days) shows up to half a year: every change
    # day of a typical patch plan, on one page.
    weeks_shown = PATCH_TICK_WEEKS if times == ["patch"] else TICK_WEEKS
    limit = monday + dt.timedelta(weeks=weeks_shown) - dt.timedelta(days=1)
    if whole or last <= limit + dt.timedelta(weeks=TICK_WEEKS_TO_END):
        limit = last
    end = min(last, limit)
    several = len(span.drugs) > 1
    taken: dict[tuple[str, dt.date], set[DoseTimeName]] = {}
    patch_days = {drug: patch_change_days(view, drug) for drug in span.drugs}
    for s in view.steps:
        if s.kind != "doses":
            continue
        drug = s.step.drug
        day = max(s.step.start, first)
        while day <= min(s.step.end, end):
            taken.setdefault((drug, day), set()).update(
                d.time
                for d in s.step.doses
                if d.amount > 0 and (d.time != "patch" or day in patch_days[drug])
            )
            day += dt.timedelta(days=1)
    for drug, day_off in span.offs.items():
        taken.setdefault((drug, day_off), set()).add("patch")
    offs = set(span.offs.values())
    # A drug's stop is a "new dose" day too; its row has no boxes after it.
    new_doses = {
        s.step.start
        for s in view.steps
        if s.is_change and s.kind != "mapping" and s.step.start > span.first
    }
    new_doses -= offs  # the last patch's off day says so, not "new dose"
    # Of several drugs, one's stop says which (nurse review 7: "11/5 ny dos" was oxycodone's
    # stop while oxazepam went on).
    stops = {
        s.step.start: view.drug_names.get(s.step.drug, s.step.drug)
        for s in view.steps
        if several and s.is_change and s.step.phase == "taper" and s.step.dose == 0
    }
    talks = {c.checkpoint.date for c in view.appointments}
    # The plan's last dose, where the calendar reaches it, says so (nurse review 9, N7: a
    # one-drug calendar ended on boxes and a talk; a patch's take-off day says it already).
    final = last if end == last and last not in offs else None
    weeks = []
    while monday <= end:
        shown = [monday + dt.timedelta(days=n) for n in range(7)]
        rows = []
        for drug, (begin, stop) in span.drugs.items():
            own = [d if first <= d <= end and begin <= d <= stop else None for d in shown]
            if not any(own):
                continue
            days = [
                None
                if d is None
                else TickDay(d, t.date(d), [time in taken.get((drug, d), set()) for time in times])
                for d in own
            ]
            rows.append(TickRow(view.drug_names.get(drug, drug) if several else None, days))
        if not rows:  # no drug taken this week (a gap between two drugs): no row
            monday += dt.timedelta(weeks=1)
            continue
        notes = []
        for day in shown:
            if day < first or day > end:
                continue
            # One note a day: "18/1 new dose, talk".
            if day in offs:
                notes.append(t._("%(day)s take off the last patch", day=t.numeric_day(day)))
            if day in stops:
                said = {"day": t.numeric_day(day), "drug": stops[day]}
                if day in talks:
                    notes.append(t._("%(day)s stop %(drug)s, talk", **said))
                else:
                    notes.append(t._("%(day)s stop %(drug)s", **said))
            if day == final:  # said in place of "new dose" (a last step of one day)
                notes.append(_last_dose_note(view, day, day in talks and day not in stops))
            elif day in stops:
                continue
            elif day in new_doses and day in talks:
                notes.append(t._("%(day)s new dose, talk", day=t.numeric_day(day)))
            elif day in new_doses:
                notes.append(t._("%(day)s new dose", day=t.numeric_day(day)))
            elif day in talks:
                notes.append(t._("%(day)s talk", day=t.numeric_day(day)))
        weeks.append(TickWeek(t.numeric_day(max(monday, first)), rows, " · ".join(notes)))
        monday += dt.timedelta(weeks=1)
    return weeks, t.date(end) if end < last else None


def _last_dose_note(view: PlanView, day: dt.date, talk: bool) -> str:
    """The calendar's note on the plan's last day: "28/2 last tablet" (or "last dose" after a
    solution or beside a patch, as page 1's label says)."""
    t = view.t
    said = t.numeric_day(day)
    if view.patches == "none" and not view.ends_on_liquid:
        if talk:
            return t._("%(day)s last tablet, talk", day=said)
        return t._("%(day)s last tablet", day=said)
    if talk:
        return t._("%(day)s last dose, talk", day=said)
    return t._("%(day)s last dose", day=said)


def fit_one_page(
    view: PlanView,
    layout: tuple[str, str, str, str],
    weeks: list[TickWeek],
    until: str | None,
) -> tuple[list[TickWeek], str | None]:
    """The weeks of a calendar of several drugs that fit its page in its `layout`
    (`calendar_layout`), and the last day shown where it stops before the plan's last day
    (the next weeks: `--calendar-from`)."""
    if not any(row.drug for week in weeks for row in week.rows):
        return weeks, until
    room = Decimal(layout[3])
    most = ROWS_ON_A_PAGE if room else ROWS_ON_A_PAGE_NOTES_BELOW
    for n in range(len(weeks), 0, -1):
        if week_rows(weeks[:n], room or None) <= most:
            break
    if n == len(weeks):
        return weeks, until
    last = max(day.date for row in weeks[n - 1].rows for day in row.days if day)
    return weeks[:n], view.t.date(last)


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
