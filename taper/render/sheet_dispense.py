"""The dispensing table of the clinician page: what to dispense, a row per step, a column per
product under its brand, and the table's column widths.

The brand heads stand over their strengths so that narrow columns need short heads; an oral
solution's cells hold its ml (drops with their words), never "N × 2 mg". Each column gets
room for its longest word at the table's 12 pt (`dispense_widths`).

A row covers at most `PERIOD_DAYS` (the project's choice, said under the table: no rule file
gives a prescription period; nurse review 3, S-5 saw 16 weeks of oxazepam on one line). A
longer step is split into periods, each counted as the planner counts a step: its tablets
(ml, drops) a day times its days, rounded up (`taper.plan.review.daily_counts`). Patches keep
their step's row (their count depends on the days each is worn).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from taper.plan.model import Dispense, Step
from taper.plan.review import daily_counts
from taper.render.dose_text import dispense_text
from taper.render.sheet_clinician import short_brand
from taper.render.sheet_widths import NBSP, least_percent, unbreakable
from taper.render.view import PlanView

# The longest period one row dispenses (project choice, README "Printed sheet").
PERIOD_DAYS = 28


@dataclass(frozen=True)
class DispenseRow:
    dates: str
    counts: list[str]  # one per product: "28" (tablets), "126 ml"; "" where the step needs none


@dataclass(frozen=True)
class DispenseTable:
    products: list[str]  # a column per product: its strength ("10 mg"), under its brand
    rows: list[DispenseRow]
    brands: list[tuple[str, int]]  # the brand heads over the products: (brand, columns)
    split: bool = False  # a step longer than PERIOD_DAYS is dispensed in periods
    period_weeks: int = PERIOD_DAYS // 7

    def __bool__(self) -> bool:
        return bool(self.rows)


def periods(step: Step, dispense: list[Dispense]) -> list[tuple[dt.date, dt.date, list[Dispense]]]:
    """The step's dispensing as periods of at most `PERIOD_DAYS`: the step's own row when it
    is no longer, or holds a patch."""
    if step.days <= PERIOD_DAYS or any(d.unit == "mcg/h" for d in dispense):
        return [(step.start, step.end, dispense)]
    per_day = {(b, strength, measure): n for b, strength, n, measure in daily_counts(step.doses)}
    # Periods of (nearly) equal length: 113 days as 23 + 23 + 23 + 22 + 22, never a last
    # period of a day or two.
    count = -(-step.days // PERIOD_DAYS)
    lengths = [step.days // count + (1 if n < step.days % count else 0) for n in range(count)]
    out = []
    start = step.start
    for days in lengths:
        end = start + dt.timedelta(days=days - 1)
        counted = [
            d.model_copy(
                update={
                    "tablets": Decimal(
                        math.ceil(per_day.get((d.brand, d.strength, d.measure), 0) * days)
                    )
                }
            )
            for d in dispense
        ]
        out.append((start, end, counted))
        start = end + dt.timedelta(days=1)
    return out


def dispensing(view: PlanView) -> DispenseTable:
    """What to dispense: a row per step (per period of a long step), a column per product
    under its brand (brand over its strengths, so that narrow columns need short heads), the
    tablets (ml) in the cells."""
    t = view.t
    by_index = {s.step.index: s.step for s in view.steps}
    by_step: dict[int, list[Dispense]] = {}
    for d in view.plan.dispensing:
        if d.step in by_index:
            by_step.setdefault(d.step, []).append(d)
    heads: dict[tuple[str, str], tuple[str, str]] = {}  # product -> (brand, strength)
    counts: dict[tuple[dt.date, dt.date], dict[tuple[str, str], str]] = {}
    listed: list[tuple[dt.date, dt.date, Dispense]] = []
    split = False
    for index, found in by_step.items():
        parts = periods(by_index[index], found)
        split = split or len(parts) > 1
        listed += [(start, end, d) for start, end, ds in parts for d in ds]
    for start, end, d in listed:
        row = counts.setdefault((start, end), {})
        key = (d.brand, str(d.strength))
        if d.measure is not None:
            # An oral solution: its ml (drops) with the concentration, never "N × 2 mg".
            per = "/ml" if d.measure == "ml" else ""
            heads.setdefault(key, (short_brand(d.brand), t.amount(d.strength, d.unit) + per))
            # The column names the product: a cell holds the ml (drops with their words).
            amount = t.amount(d.tablets, "ml") if d.measure == "ml" else dispense_text(t, d)
            row[key] = amount
            continue
        if d.brand in view.combination_brands:
            # A combination in full, its column in tablets: "Paralgin forte / 30 mg" read as a
            # 30 mg tablet, the codeine only (nurse review 6); the patient's pages name it so.
            heads.setdefault(key, (d.brand, t._("tablets")))
        else:
            heads.setdefault(key, (short_brand(d.brand), t.amount(d.strength, d.unit)))
        row[key] = t.number(d.tablets)
    brands = list(dict.fromkeys(brand for brand, _ in heads.values()))
    keys = sorted(heads, key=lambda k: brands.index(heads[k][0]))  # stable: first seen first
    rows = []
    for (start, end), cells in sorted(counts.items(), key=lambda item: item[0]):
        dates = f"{t.numeric_day(start)}–{t.numeric_day(end)} {end.year}"
        rows.append(DispenseRow(dates, [cells.get(key, "") for key in keys]))
    spans = [(b, sum(1 for k in keys if heads[k][0] == b)) for b in brands]
    return DispenseTable([heads[k][1] for k in keys], rows, spans, split)


def dispense_heads(table: DispenseTable) -> list[str]:
    """The dispensing table's strength heads, each on one line ("20 mg", never "20/mg")."""
    return [unbreakable(p) for p in table.products]


def dispense_widths(view: PlanView, table: DispenseTable) -> list[str]:
    """The dispensing table's column widths in percent: each column at least as wide as
    its longest word (a brand's words shared by the columns it spans), at the table's
    12 pt (the prescriber's part); the rest shared out evenly. "Oxikodon" broke into
    "Oxik/odon" at 74 % / 8 columns."""
    scale = Decimal(12) / Decimal(14)  # the widths are measured at 14 pt
    need = [least_percent([view.t._("Dates"), *(r.dates for r in table.rows)])]
    counts = [list(column) for column in zip(*(r.counts for r in table.rows), strict=True)] or [
        [] for _ in table.products
    ]
    need += [
        least_percent([product, *column])
        for product, column in zip(dispense_heads(table), counts, strict=True)
    ]
    column = 1
    for brand, span in table.brands:
        least = least_percent([brand]) / span  # its longest word
        for n in range(column, column + span):
            need[n] = max(need[n], least)
        column += span
    need = [n * scale for n in need]
    # The dates on one line when that still fits: a row stays one line high.
    whole = least_percent([r.dates.replace(" ", NBSP) for r in table.rows]) * scale
    if whole > need[0] and sum(need[1:]) + whole <= 100:
        need[0] = whole
    total = sum(need, Decimal(0))
    spare = max(Decimal(0), 100 - total)
    if total > 100:
        need = [n * 100 / total for n in need]
    share = spare / len(need)
    return [str((n + share).quantize(Decimal("0.1"))) for n in need]
