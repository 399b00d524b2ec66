"""Render `taper convert` and `taper compare` results: plain text and JSON.

Both are deterministic: the same input gives byte-identical output (no dates, no colour,
no terminal width). Numbers are exact decimals written without exponent or trailing zeros;
in JSON they are strings. JSON keys are sorted; lists keep the input order.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from taper.brand_lines import intake_text, units_text
from taper.dose import format_amount
from taper.dose_forms import describe
from taper.equivalence import (
    CLASS_LABEL,
    QUANTUM,
    SWITCH_JUDGEMENT,
    Basis,
    ClassTotal,
    Comparison,
    EquivalenceWarning,
    Equivalents,
    ItemEquivalent,
    SourceRef,
    Spread,
    TargetResult,
    decimal_if_exact,
)
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import DrugClass

WIDTH = 100
ROUNDING_NOTE = (
    "Equivalents are calculated exactly and rounded once, at the end, to 0.01 (half up); "
    "a total is the exact sum of its items, rounded once."
)
NO_FACTOR = "no factor could be determined"
DASH = "—"

# ratio highest/lowest from which a comparison row is marked as a large disagreement
LARGE_SPREAD = Decimal(2)


def _n(value: Decimal) -> str:
    return format_amount(value)


def _range(rng: tuple[Decimal, Decimal] | None) -> str:
    if rng is None:
        return DASH
    return f"{_n(rng[0])}–{_n(rng[1])}"


def reference_label(drug_class: DrugClass, reference: str, route: str = "oral") -> str:
    """'oral morphine' for opioids (route matters there), 'diazepam' for benzodiazepines."""
    return f"{route} {reference}" if drug_class == "opioid" else reference


def _dose(amount: Decimal, unit: str) -> str:
    return f"{_n(amount)} {unit}" + ("/day" if unit == "mg" else "")


def basis_text(basis: Basis, unit: str, reference: str) -> str:
    """What produced an equivalent, in words: "factor 2.4 per mcg/h", "band >20–40 mg: 8"."""
    if basis.kind == "none":
        return DASH
    per = f" per {unit}" if unit != "mg" else ""
    if basis.kind == "factor" and basis.factor is not None:
        return f"factor {_n(basis.factor)}{per}"
    if basis.kind == "amount" and basis.amount is not None and basis.equals is not None:
        return f"{_n(basis.amount)} {unit} = {_n(basis.equals)} mg {reference}"
    if basis.kind == "band" and basis.factor is not None and basis.band_above is not None:
        top = DASH if basis.band_up_to is None else _n(basis.band_up_to)
        span = (
            f"over {_n(basis.band_above)} {unit}"
            if basis.band_up_to is None
            else f">{_n(basis.band_above)}–{top} {unit}"
        )
        return f"band {span}: factor {_n(basis.factor)}"
    if basis.kind == "points" and basis.rows:
        rows = [f"{_n(d)} {unit} = {_n(e)}" for d, e in basis.rows]
        if basis.position == "interpolated":
            return f"between rows {rows[0]} and {rows[1]} (interpolated)"
        if basis.position == "below-table":
            return f"below the first row {rows[0]} (proportional from zero)"
        return f"table row {rows[0]}"
    return NO_FACTOR


def _source_text(source: SourceRef | None) -> str:
    if source is None:
        return DASH
    return f"{source.id}: {source.title} ({source.kind})"


def _wrap(text: str, indent: str, first: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _record(rows: Sequence[tuple[str, str]], indent: str = "   ") -> list[str]:
    key_width = max(len(k) for k, _ in rows)
    out: list[str] = []
    for key, value in rows:
        head = f"{indent}{key.ljust(key_width)}  "
        out.extend(_wrap(value, " " * len(head), head) or [head.rstrip()])
    return out


def _equivalent_text(item: ItemEquivalent) -> str:
    if item.equivalent is None:
        return NO_FACTOR + (f": {item.reason}" if item.reason else "")
    ref = reference_label(item.drug_class, item.reference)
    return f"{_n(item.equivalent)} {item.reference_unit}/day {ref}"


def _unit_range(rng: tuple[Decimal, Decimal] | None, item: ItemEquivalent) -> str:
    if rng is None:
        return DASH
    ref = reference_label(item.drug_class, item.reference)
    return f"{_range(rng)} {item.reference_unit}/day {ref}"


def _total_unit(total: ClassTotal) -> str:
    ref = reference_label(total.drug_class, total.reference_name, total.reference_route)
    return f"{total.unit}/day {ref}"


def _flags(flags: Sequence[str]) -> str:
    return ", ".join(flags) if flags else DASH


def _stamp(loaded: LoadedGuideline, tool_version: str) -> str:
    g = loaded.guideline
    return f"Rule file {g.id} version {g.version} sha256 {loaded.sha256}; taper {tool_version}"


def _disclaimers(loaded: LoadedGuideline, classes: Sequence[DrugClass]) -> list[str]:
    g = loaded.guideline
    texts = []
    for drug_class in classes:
        table = g.equivalence.get(drug_class)
        if table is not None and table.disclaimer is not None:
            texts.append(table.disclaimer.get("en"))
    return texts


# --- convert: text -------------------------------------------------------------------------


def convert_text(
    loaded: LoadedGuideline,
    result: Equivalents,
    target: TargetResult | None,
    tool_version: str,
) -> str:
    g = loaded.guideline
    lines = [f"Dose equivalents under {g.id}: {g.title} (version {g.version})", ""]
    for number, item in enumerate(result.items, 1):
        lines.append(f"{number}. {item.medication.text}")
        rows = [
            ("drug", f"{item.drug_name}, {item.route}"),
            ("class", CLASS_LABEL[item.drug_class]),
            ("dose", _dose(item.amount, item.unit)),
            *_as_written(item),
            ("basis", basis_text(item.basis, item.unit, item.reference)),
            ("equivalent", _equivalent_text(item)),
            ("range", _unit_range(item.range, item)),
            ("source", _source_text(item.source)),
        ]
        if item.range_sources:
            rows.append(("range from", "; ".join(_source_text(s) for s in item.range_sources)))
        if item.unverified:
            rows.append(("unverified", item.unverified))
        if item.note:
            rows.append(("note", item.note))
        rows.append(("flags", _flags(item.flags)))
        lines.extend(_record(rows))
        lines.append("")
    lines.append("Totals (one per class; classes are never added together)")
    for total in result.totals:
        state = (
            "complete" if total.complete else f"incomplete: leaves out {'; '.join(total.missing)}"
        )
        if not total.reference:
            shown = f"{DASH} (the rule file has no {CLASS_LABEL[total.drug_class]} table)"
        elif not total.determined:
            shown = f"{DASH} (no item could be converted)"
        else:
            shown = f"{_n(total.equivalent)} {_total_unit(total)}"
        rng = DASH if total.range is None else f"{_range(total.range)} {_total_unit(total)}"
        rows = [("total", shown), ("range", rng), ("status", state)]
        lines.append(f"   {CLASS_LABEL[total.drug_class]}")
        lines.extend(_record(rows, "     "))
    lines.append("")
    if target is not None:
        lines.extend(_target_text(target))
        lines.append("")
    warnings = [*result.warnings, *(target.warnings if target is not None else ())]
    lines.append("Warnings")
    if not warnings:
        lines.append("   none")
    for w in warnings:
        lines.extend(_wrap(f"{w.message} [{w.code}]", " " * 12, f"   {w.severity.upper():<7}  "))
    lines.append("")
    lines.append("Notes")
    notes = [
        *_disclaimers(loaded, [t.drug_class for t in result.totals]),
        SWITCH_JUDGEMENT,
        ROUNDING_NOTE,
    ]
    for note in dict.fromkeys(notes):
        lines.extend(_wrap(note, "     ", "   - "))
    lines.append("")
    lines.append(_stamp(loaded, tool_version))
    return "\n".join(lines) + "\n"


def _target_text(target: TargetResult) -> list[str]:
    total = target.total
    lines = [f"Target: {target.drug_name}"]
    rows = [
        (
            "equivalent",
            f"{_n(total.equivalent)} {_total_unit(total)} = "
            f"{_dose(target.dose, target.unit)} {target.drug_name}, {target.route}",
        ),
        ("basis", basis_text(target.basis, target.unit, total.reference_name)),
    ]
    if target.reduced_dose is not None and target.reduction_percent is not None:
        reduction = (
            f"{_n(target.reduction_percent)} % cross-tolerance reduction: "
            f"{_dose(target.reduced_dose, target.unit)} {target.drug_name}"
        )
        if target.reduction_range is not None and target.reduced_range is not None:
            low, high = target.reduction_range
            reduction = (
                f"{_n(low)}–{_n(high)} % cross-tolerance reduction: "
                f"{_n(target.reduced_range[0])}–{_dose(target.reduced_range[1], target.unit)} "
                f"{target.drug_name}; start at {_dose(target.reduced_dose, target.unit)} "
                f"({_n(target.reduction_percent)} % below)"
            )
        if target.kept_exact > 0:
            reduction += (
                f" (the reduction applies only to the "
                f"{_dose(target.converted_dose, target.unit)} converted from other drugs; "
                f"the {_dose(target.kept_dose, target.unit)} already taken as "
                f"{target.drug_name} is kept)"
            )
        rows.append(("switching", reduction))
        rows.append(
            (
                "linear",
                f"{_dose(target.dose, target.unit)} {target.drug_name} without the reduction "
                "(an estimate of load, not a starting dose)",
            )
        )
        # Where the reduction has a provenance of its own (not the table's source).
        if target.reduction_unverified:
            rows.append(("reduction", f"UNVERIFIED: {target.reduction_unverified}"))
        elif target.reduction_source is not None and target.reduction_source != target.source:
            rows.append(("reduction", _source_text(target.reduction_source)))
    elif target.switch:
        rows.append(("switching", "the rule file gives no cross-tolerance reduction"))
    if target.dispensable is not None:
        rows.append(("dispense", _dispense_text(target)))
    rows.append(("source", _source_text(target.source)))
    rows.append(("flags", _flags(target.flags)))
    lines.extend(_record(rows))
    return lines


def _switch_dose(target: TargetResult) -> Decimal:
    """The dose the switch starts at: after the cross-tolerance reduction, where there is one;
    the dispensable patch is rounded down from it."""
    return target.reduced_dose if target.reduced_dose is not None else target.dose


def _dispense_text(target: TargetResult) -> str:
    """The patch a pharmacy can dispense for the switch (clinician review: 20.83 mcg/h)."""
    d = target.dispensable
    assert d is not None
    start = _switch_dose(target)
    if d.dose == 0:
        return (
            f"no patch: {_dose(start, target.unit)} is below the smallest patch dose of the "
            f"formulary ({_dose(d.smallest, target.unit)}); patches are never cut"
        )
    below = start - d.dose
    if below <= 0:
        return f"{_dose(d.dose, target.unit)} ({d.patches})"
    share = (below * 100 / start).quantize(Decimal(1))
    return (
        f"{_dose(d.dose, target.unit)} ({d.patches}): rounded down by "
        f"{_dose(below, target.unit)} ({_n(share)} %) from {_dose(start, target.unit)} to the "
        "nearest patch dose the formulary makes at or below it (patches are never cut)"
    )


# --- convert: JSON -------------------------------------------------------------------------


def _count(count: Fraction) -> str:
    """A tablet count: "2", "0.5" (exact), or "1/3" where no decimal is exact."""
    found = decimal_if_exact(count)
    return _n(found) if found is not None else str(count)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else _n(value)


def _source_json(source: SourceRef | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"id": source.id, "title": source.title, "kind": source.kind, "url": source.url}


def _basis_json(basis: Basis, unit: str, reference: str) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": basis.kind, "text": basis_text(basis, unit, reference)}
    if basis.factor is not None:
        out["factor"] = _n(basis.factor)
    if basis.amount is not None:
        out["amount"] = _n(basis.amount)
    if basis.equals is not None:
        out["equals"] = _n(basis.equals)
    if basis.band_above is not None:
        out["band"] = {"above": _n(basis.band_above), "up_to": _s(basis.band_up_to)}
    if basis.rows:
        out["rows"] = [{"dose": _n(d), "equals": _n(e)} for d, e in basis.rows]
        out["position"] = basis.position
    if basis.by_dose is not None:
        out["by_dose"] = _n(basis.by_dose)
    return out


def _range_json(rng: tuple[Decimal, Decimal] | None) -> list[str] | None:
    return None if rng is None else [_n(rng[0]), _n(rng[1])]


def _as_written(item: ItemEquivalent) -> list[tuple[str, str]]:
    """How the dose was written, when it was not one daily total (issue 12)."""
    med = item.medication
    rows = []
    if med.times:
        rows.append(("times", describe(med.times)))
    tablets = units_text(med)
    if tablets is not None:
        rows.append(("tablets", tablets))
    for intake in item.ingredients:
        rows.append((intake.name, intake_text(intake)))
    if med.as_needed and med.uses_per_week is not None:
        rows.append(
            (
                "as needed",
                f"about {_n(med.uses_per_week)} times a week; the dose is the average day",
            )
        )
    return rows


def item_json(item: ItemEquivalent) -> dict[str, Any]:
    med = item.medication
    written: dict[str, Any] = {}
    if med.times:  # only for doses written per time of day or with a frequency
        written["times"] = [{"time": name, "amount": _n(a)} for name, a in med.times]
    if med.as_needed:
        written["as_needed"] = {"uses_per_week": _s(med.uses_per_week)}
    if med.units and med.strength is not None:
        written["tablets"] = {
            "strength": _n(med.strength),
            "strength_from_rule_file": med.strength_looked_up,
            "per_time": [{"time": name, "count": _count(c)} for name, c in med.units],
        }
    if item.ingredients:
        written["ingredients"] = [
            {
                "product": i.product,
                "name": i.name,
                "per_time": [{"time": name, "amount": _n(a)} for name, a in i.per_time],
                "per_day": _s(i.per_day),
                "max_per_dose": _s(i.max_per_dose),
                "max_per_day": _s(i.max_per_day),
                "above_label": list(i.over),
            }
            for i in item.ingredients
        ]
    return written | {
        "drug": item.drug,
        "drug_name": item.drug_name,
        "input": item.medication.text,
        "amount": _n(item.amount),
        "unit": item.unit,
        "route": item.route,
        "class": item.drug_class,
        "basis": _basis_json(item.basis, item.unit, item.reference),
        "factor": _s(item.factor),
        "equivalent": _s(item.equivalent),
        "reference": item.reference,
        "reference_unit": item.reference_unit,
        "range": _range_json(item.range),
        "range_sources": [_source_json(s) for s in item.range_sources],
        "source": _source_json(item.source),
        "unverified": item.unverified,
        "note": item.note,
        "flags": list(item.flags),
        "reason": item.reason,
    }


def total_json(total: ClassTotal) -> dict[str, Any]:
    return {
        "class": total.drug_class,
        "reference": total.reference,
        "reference_route": total.reference_route,
        "unit": total.unit,
        "equivalent": _n(total.equivalent) if total.determined else None,
        "range": _range_json(total.range),
        "complete": total.complete,
        "missing": list(total.missing),
    }


def _warning_json(w: EquivalenceWarning) -> dict[str, str]:
    return {"code": w.code, "severity": w.severity, "message": w.message}


def _target_json(target: TargetResult) -> dict[str, Any]:
    return {
        "drug": target.drug,
        "drug_name": target.drug_name,
        "class": target.drug_class,
        "route": target.route,
        "unit": target.unit,
        "from_total": _n(target.total.equivalent),
        "dose": _n(target.dose),
        "basis": _basis_json(target.basis, target.unit, target.total.reference),
        "switch": target.switch,
        "reduction_percent": _s(target.reduction_percent),
        "reduced_dose": _s(target.reduced_dose),
        "reduction_range": None
        if target.reduction_range is None
        else [_n(v) for v in target.reduction_range],
        "reduced_range": None
        if target.reduced_range is None
        else [_n(v) for v in target.reduced_range],
        "reduction_source": _source_json(target.reduction_source),
        "reduction_unverified": target.reduction_unverified,
        # The reduction applies only to the part converted from other drugs.
        "kept_dose": _n(target.kept_dose),
        "converted_dose": _n(target.converted_dose),
        "source": _source_json(target.source),
        "flags": list(target.flags),
        "dispensable": None
        if target.dispensable is None
        else {
            "dose": _n(target.dispensable.dose),
            "patches": target.dispensable.patches,
            "rounded_down_by": _n(_switch_dose(target) - target.dispensable.dose),
        },
    }


def _guideline_json(loaded: LoadedGuideline) -> dict[str, str]:
    g = loaded.guideline
    return {"id": g.id, "version": g.version, "sha256": loaded.sha256, "title": g.title}


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def convert_json(
    loaded: LoadedGuideline,
    result: Equivalents,
    target: TargetResult | None,
    tool_version: str,
) -> str:
    warnings = [*result.warnings, *(target.warnings if target is not None else ())]
    data: dict[str, Any] = {
        "guideline": _guideline_json(loaded),
        "tool_version": tool_version,
        "items": [item_json(i) for i in result.items],
        "totals": [total_json(t) for t in result.totals],
        "warnings": [_warning_json(w) for w in warnings],
        "target": None if target is None else _target_json(target),
        "disclaimers": list(
            dict.fromkeys(
                [*_disclaimers(loaded, [t.drug_class for t in result.totals]), SWITCH_JUDGEMENT]
            )
        ),
        "rounding": {"quantum": str(QUANTUM), "mode": "half-up, once at the end"},
    }
    return _dumps(data)


# --- compare -------------------------------------------------------------------------------


def _spread_cells(spread: Spread | None) -> list[str]:
    if spread is None:
        return [DASH, DASH, DASH, ""]
    ratio = DASH if spread.ratio is None or spread.compared < 2 else f"×{_n(spread.ratio)}"
    if spread.compared < 2:
        mark = "only one rule file"
    elif spread.ratio is not None and spread.ratio >= LARGE_SPREAD:
        mark = "DIFFER ≥×2"
    elif spread.lowest != spread.highest:
        mark = "differ"
    else:
        mark = "agree"
    return [_n(spread.lowest), _n(spread.highest), ratio, mark]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for row in [header, *rows]:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return out


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
                span = f" ({_n(item.range[0])}–{_n(item.range[1])})" if item.range else ""
                source = (
                    f" {note(f'{cell.guideline_id}: source {_source_text(item.source)}')}"
                    if item.source is not None
                    else ""
                )
                cells.append(
                    _n(item.equivalent)
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
                span = f" ({_n(total.range[0])}–{_n(total.range[1])})" if total.range else ""
                cells.append(_n(total.equivalent) + span)
            elif total.exact == 0:
                cells.append(note(f"{gid}: no {CLASS_LABEL[total.drug_class]} could be converted"))
            else:
                # an incomplete total is a lower bound: the missing items are not zero
                why = note(f"{gid}: incomplete total, leaves out {'; '.join(total.missing)}")
                cells.append(f"≥{_n(total.equivalent)} {why.removeprefix(DASH + ' ')}")
        rows.append(
            [f"Total {CLASS_LABEL[ctotal.drug_class]}", ref, *cells, *_spread_cells(ctotal.spread)]
        )
    lines.extend(_table(header, rows))
    lines.append("")
    if footnotes:
        for text, number in footnotes.items():
            lines.extend(_wrap(text, "      ", f"[{number}]".ljust(6)))
        lines.append("")
    lines.extend(
        _wrap(
            "The spread (lowest, highest, high/low) is over the rule files that give a value; "
            "for totals, over complete totals only. Classes are never added together.",
            "",
        )
    )
    lines.extend(_wrap(ROUNDING_NOTE, ""))
    lines.extend(_wrap(SWITCH_JUDGEMENT, ""))
    lines.append("")
    for one in loaded:
        lines.append(_stamp(one, tool_version).rsplit(";", 1)[0])
    lines.append(f"taper {tool_version}")
    return "\n".join(lines) + "\n"


def _spread_json(spread: Spread | None) -> dict[str, Any] | None:
    if spread is None:
        return None
    return {
        "reference": spread.reference,
        "unit": spread.unit,
        "lowest": _n(spread.lowest),
        "lowest_in": list(spread.lowest_in),
        "highest": _n(spread.highest),
        "highest_in": list(spread.highest_in),
        "ratio": _s(spread.ratio),
        "compared": spread.compared,
    }


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
                "amount": _n(med.dose.amount),
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
        "guidelines": [_guideline_json(one) for one in loaded],
        "tool_version": tool_version,
        "items": items,
        "totals": totals,
        "rounding": {"quantum": str(QUANTUM), "mode": "half-up, once at the end"},
    }
    return _dumps(data)
