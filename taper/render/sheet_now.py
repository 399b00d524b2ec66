"""Page 1's "what you take" box: the first fixed doses per time of day, the date the dose
next changes, and a switch to another drug said in the patient's words, on its day, with
what the old drug no longer covers from then on.

Nothing here computes a dose: it reads the overview rows the sheet already built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from taper.render.labels import DOSE_TIMES
from taper.render.sheet_overview import OverviewRow
from taper.render.view import PlanView


@dataclass(frozen=True)
class NowLine:
    """One drug's doses on a day of the box: which product, what at each time."""

    product: str
    doses: list[tuple[str, str]]  # (time label, "1 × 15 mg"), in the day's order


@dataclass(frozen=True)
class NowDay:
    """Everything taken from one date on: every drug's doses, and a time of day whose old
    drug stops that day said in words (a patient reading only page 1 must not go on taking
    the old drug beside the new one)."""

    since: str  # "mån 11 jan."
    lines: list[NowLine]
    switch: str | None  # "Du byter från alprazolam till Stesolid (diazepam)."
    stops: list[str]  # "Kväll: ingen mer Xanor (alprazolam) – ta Stesolid i stället."


@dataclass(frozen=True)
class NowBox:
    days: list[NowDay]
    next_change: str | None  # "mån 25 jan.": the first date a dose changes after the days


Span = tuple[dt.date, dt.date]  # a row's first and last day


def _day(view: PlanView, day: dt.date) -> str:
    return f"{view.t.weekday(day)} {view.t.short_day_month(day)}"


def _line(view: PlanView, row: OverviewRow) -> NowLine:
    doses = [
        (view.time_label(time), (" + ").join(row.cells[time]))
        for time in DOSE_TIMES
        if row.cells.get(time)
    ]
    return NowLine(row.product, doses)


def now_box(view: PlanView, rows: Sequence[OverviewRow], spans: list[Span]) -> NowBox:
    """`rows` and `spans` go together: each overview row and the days it covers.

    The box starts on the first fixed dose; a drug whose first fixed dose comes later (a
    switch, a second drug) adds a day of its own, listing every drug taken from then on."""
    paired = list(zip(rows, spans, strict=True))
    firsts: dict[str, dt.date] = {}
    for row, (start, _) in paired:
        if row.kind == "doses" and row.cells and row.drug not in firsts:
            firsts[row.drug] = start
    switches = _switches(view, rows, [s for s, _ in spans])
    days = [
        _whole_day(view, paired, day, switches.get(day)) for day in sorted(set(firsts.values()))
    ]
    last = max(firsts.values(), default=None)
    later = sorted(
        start
        for row, (start, _) in paired
        if last is not None and start > last and row.kind in ("doses", "stop")
    )
    next_change = _day(view, later[0]) if later else None
    if next_change is not None and len({row.drug for row in rows}) > 1:
        # Which drug's dose changes that day (nurse review 9, N8: on a plan of two drugs
        # "Nästa dosändring mån 1 feb." did not say it was oxycodone's).
        changing = dict.fromkeys(
            row.drug
            for row, (start, _) in paired
            if start == later[0] and row.kind in ("doses", "stop")
        )
        next_change += f" ({', '.join(changing)})"
    return NowBox(days, next_change)


def _whole_day(
    view: PlanView, paired: list[tuple[OverviewRow, Span]], day: dt.date, switch: str | None
) -> NowDay:
    """Every drug's row on `day`; a time of day an older drug had the day before and has no
    more from `day` on is said, with what replaces it."""
    lines: list[NowLine] = []
    stops: list[str] = []
    today = [row for row, (start, end) in paired if start <= day <= end]
    before = {
        row.drug: row
        for row, (start, end) in paired
        if start <= day - dt.timedelta(days=1) <= end and row.kind == "doses"
    }
    taken_today = {time: row.product for row in today if row.kind == "doses" for time in row.cells}
    for row in today:
        if row.kind == "doses" and row.cells:
            lines.append(_line(view, row))
        elif row.kind == "stop" and row.drug in before and row.text:
            stops.append(row.text)
    for drug, old in before.items():
        now = next((r for r in today if r.drug == drug and r.kind == "doses"), None)
        if now is None:
            continue  # stopped that day: its stop row's words are said above
        gone = [time for time in DOSE_TIMES if old.cells.get(time) and not now.cells.get(time)]
        for time in gone:
            instead = taken_today.get(time)
            label = view.time_label(time)
            stops.append(
                view.t._(
                    "%(time)s: no more %(old)s – take %(new)s instead.",
                    time=label,
                    old=old.product,
                    new=instead,
                )
                if instead is not None
                else view.t._("%(time)s: no more %(old)s.", time=label, old=old.product)
            )
    return NowDay(_day(view, day), lines, switch, stops)


def _switches(
    view: PlanView, rows: Sequence[OverviewRow], starts: list[dt.date]
) -> dict[dt.date, str]:
    """A switch to another drug in the patient's words, on the new drug's first day."""
    said: dict[dt.date, str] = {}
    for step in view.steps:
        new = step.step.replaced_by
        if new is None:
            continue
        first = _first_row_of(view, new, rows, starts)
        if first is None:
            continue
        product, start = first
        said.setdefault(
            start, view.t._("You change from %(old)s to %(new)s.", old=step.drug, new=product)
        )
    return said


def _first_row_of(
    view: PlanView, drug_id: str, rows: Sequence[OverviewRow], starts: list[dt.date]
) -> tuple[str, dt.date] | None:
    name = view.drug_names.get(drug_id, drug_id)  # as the rows name it
    for row, start in zip(rows, starts, strict=True):
        if row.kind == "doses" and row.drug == name:
            return row.product, start
    return None
