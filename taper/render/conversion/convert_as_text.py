"""`taper convert` as plain text: each item, the class totals, the target, warnings, notes."""

from __future__ import annotations

from decimal import Decimal

from taper.brand_lines import intake_text, units_text
from taper.dose_forms import describe
from taper.equivalence import (
    CLASS_LABEL,
    SWITCH_JUDGEMENT,
    Equivalents,
    ItemEquivalent,
    TargetResult,
)
from taper.guideline.loader import LoadedGuideline
from taper.render.conversion.common import (
    DASH,
    NO_FACTOR,
    ROUNDING_NOTE,
    basis_text,
    disclaimers,
    dose_text,
    flags_text,
    num,
    range_text,
    record,
    reference_label,
    source_text,
    stamp,
    switch_dose,
    total_unit,
    wrap,
)


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
            ("dose", dose_text(item.amount, item.unit)),
            *_as_written(item),
            ("basis", basis_text(item.basis, item.unit, item.reference)),
            ("equivalent", _equivalent_text(item)),
            ("range", _unit_range(item.range, item)),
            ("source", source_text(item.source)),
        ]
        if item.range_sources:
            rows.append(("range from", "; ".join(source_text(s) for s in item.range_sources)))
        if item.unverified:
            rows.append(("unverified", item.unverified))
        if item.note:
            rows.append(("note", item.note))
        rows.append(("flags", flags_text(item.flags)))
        lines.extend(record(rows))
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
            shown = f"{num(total.equivalent)} {total_unit(total)}"
        rng = DASH if total.range is None else f"{range_text(total.range)} {total_unit(total)}"
        rows = [("total", shown), ("range", rng), ("status", state)]
        lines.append(f"   {CLASS_LABEL[total.drug_class]}")
        lines.extend(record(rows, "     "))
    lines.append("")
    if target is not None:
        lines.extend(_target_text(target))
        lines.append("")
    warnings = [*result.warnings, *(target.warnings if target is not None else ())]
    lines.append("Warnings")
    if not warnings:
        lines.append("   none")
    for w in warnings:
        lines.extend(wrap(f"{w.message} [{w.code}]", " " * 12, f"   {w.severity.upper():<7}  "))
    lines.append("")
    lines.append("Notes")
    notes = [
        *disclaimers(loaded, [t.drug_class for t in result.totals]),
        SWITCH_JUDGEMENT,
        ROUNDING_NOTE,
    ]
    for note in dict.fromkeys(notes):
        lines.extend(wrap(note, "     ", "   - "))
    lines.append("")
    lines.append(stamp(loaded, tool_version))
    return "\n".join(lines) + "\n"


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
                f"about {num(med.uses_per_week)} times a week; the dose is the average day",
            )
        )
    return rows


def _equivalent_text(item: ItemEquivalent) -> str:
    if item.equivalent is None:
        return NO_FACTOR + (f": {item.reason}" if item.reason else "")
    ref = reference_label(item.drug_class, item.reference)
    return f"{num(item.equivalent)} {item.reference_unit}/day {ref}"


def _unit_range(rng: tuple[Decimal, Decimal] | None, item: ItemEquivalent) -> str:
    if rng is None:
        return DASH
    ref = reference_label(item.drug_class, item.reference)
    return f"{range_text(rng)} {item.reference_unit}/day {ref}"


def _target_text(target: TargetResult) -> list[str]:
    total = target.total
    lines = [f"Target: {target.drug_name}"]
    rows = [
        (
            "equivalent",
            f"{num(total.equivalent)} {total_unit(total)} = "
            f"{dose_text(target.dose, target.unit)} {target.drug_name}, {target.route}",
        ),
        ("basis", basis_text(target.basis, target.unit, total.reference_name)),
    ]
    if target.reduced_dose is not None and target.reduction_percent is not None:
        reduction = (
            f"{num(target.reduction_percent)} % cross-tolerance reduction: "
            f"{dose_text(target.reduced_dose, target.unit)} {target.drug_name}"
        )
        if target.reduction_range is not None and target.reduced_range is not None:
            low, high = target.reduction_range
            reduction = (
                f"{num(low)}–{num(high)} % cross-tolerance reduction: "
                f"{num(target.reduced_range[0])}–{dose_text(target.reduced_range[1], target.unit)} "
                f"{target.drug_name}; start at {dose_text(target.reduced_dose, target.unit)} "
                f"({num(target.reduction_percent)} % below)"
            )
        if target.kept_exact > 0:
            reduction += (
                f" (the reduction applies only to the "
                f"{dose_text(target.converted_dose, target.unit)} converted from other drugs; "
                f"the {dose_text(target.kept_dose, target.unit)} already taken as "
                f"{target.drug_name} is kept)"
            )
        rows.append(("switching", reduction))
        rows.append(
            (
                "linear",
                f"{dose_text(target.dose, target.unit)} {target.drug_name} without the reduction "
                "(an estimate of load, not a starting dose)",
            )
        )
        # Where the reduction has a provenance of its own (not the table's source).
        if target.reduction_unverified:
            rows.append(("reduction", f"UNVERIFIED: {target.reduction_unverified}"))
        elif target.reduction_source is not None and target.reduction_source != target.source:
            rows.append(("reduction", source_text(target.reduction_source)))
    elif target.switch:
        rows.append(("switching", "the rule file gives no cross-tolerance reduction"))
    if target.dispensable is not None:
        rows.append(("dispense", _dispense_text(target)))
    rows.append(("source", source_text(target.source)))
    rows.append(("flags", flags_text(target.flags)))
    lines.extend(record(rows))
    return lines


def _dispense_text(target: TargetResult) -> str:
    """The patch a pharmacy can dispense for the switch (clinician review: 20.83 mcg/h)."""
    d = target.dispensable
    assert d is not None
    start = switch_dose(target)
    if d.dose == 0:
        return (
            f"no patch: {dose_text(start, target.unit)} is below the smallest patch dose of the "
            f"formulary ({dose_text(d.smallest, target.unit)}); patches are never cut"
        )
    below = start - d.dose
    if below <= 0:
        return f"{dose_text(d.dose, target.unit)} ({d.patches})"
    share = (below * 100 / start).quantize(Decimal(1))
    return (
        f"{dose_text(d.dose, target.unit)} ({d.patches}): rounded down by "
        f"{dose_text(below, target.unit)} ({num(share)} %) from {dose_text(start, target.unit)} "
        "to the nearest patch dose the formulary makes at or below it (patches are never cut)"
    )
