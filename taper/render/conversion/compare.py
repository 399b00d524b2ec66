"""`taper compare` across rule files: a table (text) or JSON, with each row's spread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from taper.equivalence import (
    CLASS_LABEL,
    QUANTUM,
    SWITCH_JUDGEMENT,
    Comparison,
    Spread,
)
from taper.guideline.loader import LoadedGuideline
from taper.render.conversion.common import (
    DASH,
    LARGE_SPREAD,
    NO_FACTOR,
    ROUNDING_NOTE,
    dumps,
    guideline_json,
    num,
    optional_num,
    reference_label,
    source_text,
    stamp,
    wrap,
)
from taper.render.conversion.convert_as_json import item_json, total_json


def compare_text(
    loaded: Sequence[LoadedGuideline], comparison: Comparison, tool_version: str
) -> str:
    ids = list(comparison.guideline_ids)
    lines = [
        f"Dose equivalents compared across {len(ids)} rule files "
        "(daily doses; each class in its reference drug)",
        "",
    ]
    footnotes: dict[str, int] = {}

    def note(text: str) -> str:
        number = footnotes.setdefault(text, len(footnotes) + 1)
        return f"{DASH} [{number}]"

    header = ["Medication", "Unit", *ids, "lowest", "highest", "high/low", ""]
    rows: list[list[str]] = []
    for row in comparison.rows:
        cells = []
        ref = DASH
        for cell in row.cells:
            item = cell.item
            if item is not None and item.equivalent is not None:
                read_as = f" {note(f'{cell.guideline_id}: {cell.note}')}" if cell.note else ""
                # each region's range and source, not just its point value (issue 12)
                span = f" ({num(item.range[0])}–{num(item.range[1])})" if item.range else ""
                source = (
                    f" {note(f'{cell.guideline_id}: source {source_text(item.source)}')}"
                    if item.source is not None
                    else ""
                )
                cells.append(
                    num(item.equivalent)
                    + span
                    + read_as.replace(f"{DASH} ", "")
                    + source.replace(f"{DASH} ", "")
                )
                ref = f"{item.reference_unit} {reference_label(item.drug_class, item.reference)}"
            else:
                cells.append(note(f"{cell.guideline_id}: {cell.reason or NO_FACTOR}"))
        rows.append([row.medication.text, ref, *cells, *_spread_cells(row.spread)])
    for ctotal in comparison.totals:
        cells = []
        ref = DASH
        for gid, total in ctotal.totals:
            if total.reference and ref == DASH:
                ref = f"{total.unit} " + reference_label(
                    total.drug_class, total.reference_name, total.reference_route
                )
            if total.complete:
                span = f" ({num(total.range[0])}–{num(total.range[1])})" if total.range else ""
                cells.append(num(total.equivalent) + span)
            elif total.exact == 0:
                cells.append(note(f"{gid}: no {CLASS_LABEL[total.drug_class]} could be converted"))
            else:
                # an incomplete total is a lower bound: the missing items are not zero
                why = note(f"{gid}: incomplete total, leaves out {'; '.join(total.missing)}")
                cells.append(f"≥{num(total.equivalent)} {why.removeprefix(DASH + ' ')}")
        rows.append(
            [f"Total {CLASS_LABEL[ctotal.drug_class]}", ref, *cells, *_spread_cells(ctotal.spread)]
        )
    lines.extend(_table(header, rows))
    lines.append("")
    if footnotes:
        for text, number in footnotes.items():
            lines.extend(wrap(text, "      ", f"[{number}]".ljust(6)))
        lines.append("")
    lines.extend(
        wrap(
            "The spread (lowest, highest, high/low) is over the rule files that give a value; "
            "for totals, over complete totals only. Classes are never added together.",
            "",
        )
    )
    lines.extend(wrap(ROUNDING_NOTE, ""))
    lines.extend(wrap(SWITCH_JUDGEMENT, ""))
    lines.append("")
    for one in loaded:
        lines.append(stamp(one, tool_version).rsplit(";", 1)[0])
    lines.append(f"taper {tool_version}")
    return "\n".join(lines) + "\n"


def compare_json(
    loaded: Sequence[LoadedGuideline], comparison: Comparison, tool_version: str
) -> str:
    items = []
    for row in comparison.rows:
        regions = []
        for cell in row.cells:
            entry: dict[str, Any] = {"guideline": cell.guideline_id, "reason": cell.reason}
            if cell.note is not None:
                entry["read_as"] = cell.note
            if cell.item is None:
                entry.update({"known": False, "equivalent": None})
            else:
                entry.update(item_json(cell.item))
                entry["known"] = True
            regions.append(entry)
        med = row.medication
        items.append(
            {
                "input": med.text,
                "amount": num(med.dose.amount),
                "unit": med.dose.unit,
                "class": row.drug_class,
                "regions": regions,
                "spread": _spread_json(row.spread),
            }
        )
    totals = []
    for ctotal in comparison.totals:
        totals.append(
            {
                "class": ctotal.drug_class,
                "regions": [{"guideline": gid, **total_json(t)} for gid, t in ctotal.totals],
                "spread": _spread_json(ctotal.spread),
            }
        )
    data: dict[str, Any] = {
        "guidelines": [guideline_json(one) for one in loaded],
        "tool_version": tool_version,
        "items": items,
        "totals": totals,
        "rounding": {"quantum": str(QUANTUM), "mode": "half-up, once at the end"},
    }
    return dumps(data)


def _spread_cells(spread: Spread | None) -> list[str]:
    if spread is None:
        return [DASH, DASH, DASH, ""]
    ratio = DASH if spread.ratio is None or spread.compared < 2 else f"×{num(spread.ratio)}"
    if spread.compared < 2:
        mark = "only one rule file"
    elif spread.ratio is not None and spread.ratio >= LARGE_SPREAD:
        mark = "DIFFER ≥×2"
    elif spread.lowest != spread.highest:
        mark = "differ"
    else:
        mark = "agree"
    return [num(spread.lowest), num(spread.highest), ratio, mark]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for row in [header, *rows]:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return out


def _spread_json(spread: Spread | None) -> dict[str, Any] | None:
    if spread is None:
        return None
    return {
        "reference": spread.reference,
        "unit": spread.unit,
        "lowest": num(spread.lowest),
        "lowest_in": list(spread.lowest_in),
        "highest": num(spread.highest),
        "highest_in": list(spread.highest_in),
        "ratio": optional_num(spread.ratio),
        "compared": spread.compared,
    }
