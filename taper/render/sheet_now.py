"""Page 1's "what you take" box: the first fixed doses per time of day, the date the dose
next changes, and a switch to another drug said in the patient's words.

Nothing here computes a dose: it reads the overview rows the sheet already built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from taper.plan.model import DoseTimeName
from taper.render.view import DOSE_TIMES, PlanView


@dataclass(frozen=True)
class NowLine:
    """One drug's first fixed doses: from when, which product, what at each time."""

    since: str  # "mån 11 jan."
    product: str
    doses: list[tuple[str, str]]  # (time label, "1 × 15 mg"), in the day's order


@dataclass(frozen=True)
class NowBox:
    lines: list[NowLine]
    next_change: str | None  # "mån 25 jan.": the first date a dose changes after the lines
    switches: list[str]  # "You change from alprazolam to Stesolid (diazepam) …"


class _Row(Protocol):
    """What the box needs of an overview row (sheet.py imports this module)."""

    @property
    def drug(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def cells(self) -> dict[DoseTimeName, list[str]]: ...


def _day(view: PlanView, day: dt.date) -> str:
    return f"{view.t.weekday(day)} {view.t.short_day_month(day)}"


def now_box(view: PlanView, rows: Sequence[_Row], starts: list[dt.date]) -> NowBox:
    """`rows` and `starts` go together: each overview row and the date it begins."""
    lines: list[NowLine] = []
    firsts: dict[str, dt.date] = {}
    for row, start in zip(rows, starts, strict=True):
        if row.kind != "doses" or row.drug in firsts or not row.cells:
            continue
        firsts[row.drug] = start
        doses = [
            (view.time_label(time), (" + ").join(row.cells[time]))
            for time in DOSE_TIMES
            if row.cells.get(time)
        ]
        lines.append(NowLine(_day(view, start), row.product, doses))
    first = min(firsts.values(), default=None)
    later = sorted(
        start
        for row, start in zip(rows, starts, strict=True)
        if first is not None and start > first and row.kind in ("doses", "stop")
    )
    next_change = _day(view, later[0]) if later else None
    return NowBox(lines, next_change, _switches(view, rows, starts))


def _switches(view: PlanView, rows: Sequence[_Row], starts: list[dt.date]) -> list[str]:
    said = []
    for step in view.steps:
        new = step.step.replaced_by
        if new is None:
            continue
        first = _first_row_of(view, new, rows, starts)
        if first is None:
            continue
        product, start = first
        long_day = f"{view.t.weekday(start)} {view.t.date(start)}"  # ends in no "."
        said.append(
            view.t._(
                "You change from %(old)s to %(new)s. Your first dose of %(new)s is on %(date)s.",
                old=step.drug,
                new=product,
                date=long_day,
            )
        )
    return list(dict.fromkeys(said))


def _first_row_of(
    view: PlanView, drug_id: str, rows: Sequence[_Row], starts: list[dt.date]
) -> tuple[str, dt.date] | None:
    name = view.drug_names.get(drug_id, drug_id)  # as the rows name it
    for row, start in zip(rows, starts, strict=True):
        if row.kind == "doses" and row.drug == name:
            return row.product, start
    return None
