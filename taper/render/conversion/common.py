"""What `taper convert` and `taper compare` share: numbers, doses, bases, sources, wrapping."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from taper.dose import format_amount
from taper.equivalence import (
    Basis,
    ClassTotal,
    SourceRef,
    TargetResult,
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


def num(value: Decimal) -> str:
    return format_amount(value)


def range_text(rng: tuple[Decimal, Decimal] | None) -> str:
    if rng is None:
        return DASH
    return f"{num(rng[0])}–{num(rng[1])}"


def reference_label(drug_class: DrugClass, reference: str, route: str = "oral") -> str:
    """'oral morphine' for opioids (route matters there), 'diazepam' for benzodiazepines."""
    return f"{route} {reference}" if drug_class == "opioid" else reference


def dose_text(amount: Decimal, unit: str) -> str:
    return f"{num(amount)} {unit}" + ("/day" if unit == "mg" else "")


def basis_text(basis: Basis, unit: str, reference: str) -> str:
    """What produced an equivalent, in words: "factor 2.4 per mcg/h", "band >20–40 mg: 8"."""
    if basis.kind == "none":
        return DASH
    per = f" per {unit}" if unit != "mg" else ""
    if basis.kind == "factor" and basis.factor is not None:
        return f"factor {num(basis.factor)}{per}"
    if basis.kind == "amount" and basis.amount is not None and basis.equals is not None:
        return f"{num(basis.amount)} {unit} = {num(basis.equals)} mg {reference}"
    if basis.kind == "band" and basis.factor is not None and basis.band_above is not None:
        top = DASH if basis.band_up_to is None else num(basis.band_up_to)
        span = (
            f"over {num(basis.band_above)} {unit}"
            if basis.band_up_to is None
            else f">{num(basis.band_above)}–{top} {unit}"
        )
        return f"band {span}: factor {num(basis.factor)}"
    if basis.kind == "points" and basis.rows:
        rows = [f"{num(d)} {unit} = {num(e)}" for d, e in basis.rows]
        if basis.position == "interpolated":
            return f"between rows {rows[0]} and {rows[1]} (interpolated)"
        if basis.position == "below-table":
            return f"below the first row {rows[0]} (proportional from zero)"
        return f"table row {rows[0]}"
    return NO_FACTOR


def source_text(source: SourceRef | None) -> str:
    if source is None:
        return DASH
    return f"{source.id}: {source.title} ({source.kind})"


def wrap(text: str, indent: str, first: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def record(rows: Sequence[tuple[str, str]], indent: str = "   ") -> list[str]:
    key_width = max(len(k) for k, _ in rows)
    out: list[str] = []
    for key, value in rows:
        head = f"{indent}{key.ljust(key_width)}  "
        out.extend(wrap(value, " " * len(head), head) or [head.rstrip()])
    return out


def total_unit(total: ClassTotal) -> str:
    ref = reference_label(total.drug_class, total.reference_name, total.reference_route)
    return f"{total.unit}/day {ref}"


def flags_text(flags: Sequence[str]) -> str:
    return ", ".join(flags) if flags else DASH


def stamp(loaded: LoadedGuideline, tool_version: str) -> str:
    g = loaded.guideline
    return f"Rule file {g.id} version {g.version} sha256 {loaded.sha256}; taper {tool_version}"


def disclaimers(loaded: LoadedGuideline, classes: Sequence[DrugClass]) -> list[str]:
    g = loaded.guideline
    texts = []
    for drug_class in classes:
        table = g.equivalence.get(drug_class)
        if table is not None and table.disclaimer is not None:
            texts.append(table.disclaimer.get("en"))
    return texts


def switch_dose(target: TargetResult) -> Decimal:
    """The dose the switch starts at: after the cross-tolerance reduction, where there is one;
    the dispensable patch is rounded down from it."""
    return target.reduced_dose if target.reduced_dose is not None else target.dose


def optional_num(value: Decimal | None) -> str | None:
    return None if value is None else num(value)


def source_json(source: SourceRef | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"id": source.id, "title": source.title, "kind": source.kind, "url": source.url}


def basis_json(basis: Basis, unit: str, reference: str) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": basis.kind, "text": basis_text(basis, unit, reference)}
    if basis.factor is not None:
        out["factor"] = num(basis.factor)
    if basis.amount is not None:
        out["amount"] = num(basis.amount)
    if basis.equals is not None:
        out["equals"] = num(basis.equals)
    if basis.band_above is not None:
        out["band"] = {"above": num(basis.band_above), "up_to": optional_num(basis.band_up_to)}
    if basis.rows:
        out["rows"] = [{"dose": num(d), "equals": num(e)} for d, e in basis.rows]
        out["position"] = basis.position
    if basis.by_dose is not None:
        out["by_dose"] = num(basis.by_dose)
    return out


def range_json(rng: tuple[Decimal, Decimal] | None) -> list[str] | None:
    return None if rng is None else [num(rng[0]), num(rng[1])]


def guideline_json(loaded: LoadedGuideline) -> dict[str, str]:
    g = loaded.guideline
    return {"id": g.id, "version": g.version, "sha256": loaded.sha256, "title": g.title}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
