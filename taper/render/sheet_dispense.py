"""The dispensing table of the clinician page: what to dispense, a row per step, a column per
product under its brand, and the table's column widths.

The brand heads stand over their strengths so that narrow columns need short heads; an oral
solution's cells hold its ml (drops with their words), never "N × 2 mg". Each column gets
room for its longest word at the table's 12 pt (`dispense_widths`). Nothing here computes an
amount: the rows only lay out what the planner's dispensing list says.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from taper.render.dose_text import dispense_text
from taper.render.sheet_clinician import short_brand
from taper.render.sheet_widths import NBSP, least_percent, unbreakable
from taper.render.view import PlanView


@dataclass(frozen=True)
class DispenseRow:
    dates: str
    counts: list[str]  # one per product: "28" (tablets), "126 ml"; "" where the step needs none


@dataclass(frozen=True)
class DispenseTable:
    products: list[str]  # a column per product: its strength ("10 mg"), under its brand
    rows: list[DispenseRow]
    brands: list[tuple[str, int]]  # the brand heads over the products: (brand, columns)

    def __bool__(self) -> bool:
        return bool(self.rows)


def dispensing(view: PlanView) -> DispenseTable:
    """What to dispense: a row per step, a column per product under its brand (brand over
    its strengths, so that narrow columns need short heads), the tablets (ml) in the cells."""
    t = view.t
    by_index = {s.step.index: s for s in view.steps}
    heads: dict[tuple[str, str], tuple[str, str]] = {}  # product -> (brand, strength)
    counts: dict[int, dict[tuple[str, str], str]] = {}
    for d in view.plan.dispensing:
        key = (d.brand, str(d.strength))
        if d.measure is not None:
            # An oral solution: its ml (drops) with the concentration, never "N × 2 mg".
            per = "/ml" if d.measure == "ml" else ""
            heads.setdefault(key, (short_brand(d.brand), t.amount(d.strength, d.unit) + per))
            # The column names the product: a cell holds the ml (drops with their words).
            amount = t.amount(d.tablets, "ml") if d.measure == "ml" else dispense_text(t, d)
            counts.setdefault(d.step, {})[key] = amount
            continue
        heads.setdefault(key, (short_brand(d.brand), t.amount(d.strength, d.unit)))
        counts.setdefault(d.step, {})[key] = t.number(d.tablets)
    brands = list(dict.fromkeys(brand for brand, _ in heads.values()))
    keys = sorted(heads, key=lambda k: brands.index(heads[k][0]))  # stable: first seen first
    rows = []
    for index, found in counts.items():
        step = by_index.get(index)
        if step is None:
            continue
        start, end = step.step.start, step.step.end
        dates = f"{t.numeric_day(start)}–{t.numeric_day(end)} {end.year}"
        rows.append(DispenseRow(dates, [found.get(key, "") for key in keys]))
    spans = [(b, sum(1 for k in keys if heads[k][0] == b)) for b in brands]
    return DispenseTable([heads[k][1] for k in keys], rows, spans)


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
