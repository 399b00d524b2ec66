"""`taper convert` as JSON: each item, the class totals, the target (numbers as strings)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from taper.equivalence import (
    QUANTUM,
    SWITCH_JUDGEMENT,
    ClassTotal,
    EquivalenceWarning,
    Equivalents,
    ItemEquivalent,
    TargetResult,
    decimal_if_exact,
)
from taper.guideline.loader import LoadedGuideline
from taper.render.conversion.common import (
    basis_json,
    disclaimers,
    dumps,
    guideline_json,
    num,
    optional_num,
    range_json,
    source_json,
    switch_dose,
)


def convert_json(
    loaded: LoadedGuideline,
    result: Equivalents,
    target: TargetResult | None,
    tool_version: str,
) -> str:
    warnings = [*result.warnings, *(target.warnings if target is not None else ())]
    data: dict[str, Any] = {
        "guideline": guideline_json(loaded),
        "tool_version": tool_version,
        "items": [item_json(i) for i in result.items],
        "totals": [total_json(t) for t in result.totals],
        "warnings": [_warning_json(w) for w in warnings],
        "target": None if target is None else _target_json(target),
        "disclaimers": list(
            dict.fromkeys(
                [*disclaimers(loaded, [t.drug_class for t in result.totals]), SWITCH_JUDGEMENT]
            )
        ),
        "rounding": {"quantum": str(QUANTUM), "mode": "half-up, once at the end"},
    }
    return dumps(data)


def item_json(item: ItemEquivalent) -> dict[str, Any]:
    med = item.medication
    written: dict[str, Any] = {}
    if med.times:  # only for doses written per time of day or with a frequency
        written["times"] = [{"time": name, "amount": num(a)} for name, a in med.times]
    if med.as_needed:
        written["as_needed"] = {"uses_per_week": optional_num(med.uses_per_week)}
    if med.units and med.strength is not None:
        written["tablets"] = {
            "strength": num(med.strength),
            "strength_from_rule_file": med.strength_looked_up,
            "per_time": [{"time": name, "count": _count(c)} for name, c in med.units],
        }
    if item.ingredients:
        written["ingredients"] = [
            {
                "product": i.product,
                "name": i.name,
                "per_time": [{"time": name, "amount": num(a)} for name, a in i.per_time],
                "per_day": optional_num(i.per_day),
                "max_per_dose": optional_num(i.max_per_dose),
                "max_per_day": optional_num(i.max_per_day),
                "above_label": list(i.over),
            }
            for i in item.ingredients
        ]
    return written | {
        "drug": item.drug,
        "drug_name": item.drug_name,
        "input": item.medication.text,
        "amount": num(item.amount),
        "unit": item.unit,
        "route": item.route,
        "class": item.drug_class,
        "basis": basis_json(item.basis, item.unit, item.reference),
        "factor": optional_num(item.factor),
        "equivalent": optional_num(item.equivalent),
        "reference": item.reference,
        "reference_unit": item.reference_unit,
        "range": range_json(item.range),
        "range_sources": [source_json(s) for s in item.range_sources],
        "source": source_json(item.source),
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
        "equivalent": num(total.equivalent) if total.determined else None,
        "range": range_json(total.range),
        "complete": total.complete,
        "missing": list(total.missing),
    }


def _count(count: Fraction) -> str:
    """A tablet count: "2", "0.5" (exact), or "1/3" where no decimal is exact."""
    found = decimal_if_exact(count)
    return num(found) if found is not None else str(count)


def _warning_json(w: EquivalenceWarning) -> dict[str, str]:
    return {"code": w.code, "severity": w.severity, "message": w.message}


def _target_json(target: TargetResult) -> dict[str, Any]:
    return {
        "drug": target.drug,
        "drug_name": target.drug_name,
        "class": target.drug_class,
        "route": target.route,
        "unit": target.unit,
        "from_total": num(target.total.equivalent),
        "dose": num(target.dose),
        "basis": basis_json(target.basis, target.unit, target.total.reference),
        "switch": target.switch,
        "reduction_percent": optional_num(target.reduction_percent),
        "reduced_dose": optional_num(target.reduced_dose),
        "reduction_range": None
        if target.reduction_range is None
        else [num(v) for v in target.reduction_range],
        "reduced_range": None
        if target.reduced_range is None
        else [num(v) for v in target.reduced_range],
        "reduction_source": source_json(target.reduction_source),
        "reduction_unverified": target.reduction_unverified,
        # The reduction applies only to the part converted from other drugs.
        "kept_dose": num(target.kept_dose),
        "converted_dose": num(target.converted_dose),
        "source": source_json(target.source),
        "flags": list(target.flags),
        "dispensable": None
        if target.dispensable is None
        else {
            "dose": num(target.dispensable.dose),
            "patches": target.dispensable.patches,
            "rounded_down_by": num(switch_dose(target) - target.dispensable.dose),
        },
    }
